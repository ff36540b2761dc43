using System.Text.Json;
using Deploy.Engine.Diagnostics;
using Deploy.Engine.Plugins.Instance;

namespace Deploy.Engine.Plugins.Socket;

/// <summary>
/// An external InfraKit instance plugin reached over its unix socket (<c>/Instance.*</c>). Its instances have endpoints
/// only when the plugin says so through Deploy's <c>/Deploy.Capabilities</c> extension; their descriptions then carry
/// <c>"Endpoint": "host:port"</c>.
/// </summary>
public sealed class SocketInstancePlugin(string name, string socketPath) : IInstancePlugin, IMayHaveEndpoints, IDisposable
{
    private readonly SocketRpc _rpc = new(name, socketPath);
    private bool? _endpoints;

    public string Name => _rpc.Plugin;

    public string Description => "InfraKit instance plugin over its socket";

    /// <summary>The plugin's own check (<c>/Instance.Validate</c>); its error becomes bad input at <paramref name="path"/>.</summary>
    public IEnumerable<Diagnostic> Validate(JsonElement? properties, string path) =>
        SocketValidation.Run(_rpc, "/Instance.Validate", properties ?? SocketValidation.Null, path);

    /// <summary>Asked once, at validation: does the plugin implement Deploy's endpoint extension?</summary>
    public bool HasEndpoints() => _endpoints ??= SocketValidation.Capabilities(_rpc).Endpoints;

    public async Task<string> ProvisionAsync(InstanceSpec spec, CancellationToken cancellationToken)
    {
        const string path = "/Instance.Provision";
        var body = new WireInstanceSpec(spec.Properties, spec.Tags, spec.Init ?? "", spec.LogicalId, null);
        var answer = await _rpc.CallAsync<WireProvisioned>(path, body, SocketRpc.Slow, cancellationToken);
        return answer?.Id is { Length: > 0 } id
            ? id
            : throw _rpc.Failed(path, "answered without an instance ID", "the plugin must answer {\"ID\": \"<id>\"}; fix the plugin");
    }

    /// <summary>
    /// <c>/Instance.Destroy/{id}</c>. InfraKit plugins may refuse an ID they no longer have; that counts as destroyed
    /// when the plugin no longer describes the instance, so destroying twice succeeds as the interface promises.
    /// </summary>
    public async Task DestroyAsync(string instanceId, CancellationToken cancellationToken)
    {
        var path = "/Instance.Destroy/" + Uri.EscapeDataString(instanceId);
        var answer = await _rpc.SendAsync(path, null, SocketRpc.Quick, cancellationToken);
        if (answer.Status == 200)
        {
            return;
        }

        var left = await DescribeAsync(new Dictionary<string, string>(), cancellationToken);
        if (left.Any(i => i.Id == instanceId))
        {
            throw _rpc.Failed(path, answer.Describe(), $"instance {instanceId} still exists; the plugin's message says why");
        }
    }

    public async Task<IReadOnlyList<InstanceDescription>> DescribeAsync(IReadOnlyDictionary<string, string> tags, CancellationToken cancellationToken)
    {
        const string path = "/Instance.DescribeInstances";
        var found = await _rpc.CallAsync<List<WireDescription>>(path, tags, SocketRpc.Quick, cancellationToken) ?? [];
        return found.Select(d => ToDescription(path, d)).OrderBy(d => d.Id, InstanceIdComparer.Instance).ToList();
    }

    private InstanceDescription ToDescription(string path, WireDescription d)
    {
        if (d.Id is not { Length: > 0 } id)
        {
            throw _rpc.Failed(path, "described an instance without an ID", "every description needs \"ID\"; fix the plugin");
        }

        Endpoint? endpoint = null;
        if (d.Endpoint is { } text && (endpoint = Endpoint.TryParse(text)) is null)
        {
            throw _rpc.Failed(path, $"described instance {id} with Endpoint \"{text}\", which is not host:port",
                "write the Endpoint as host:port or http(s)://host:port, or leave it out");
        }

        return new InstanceDescription(id, d.LogicalId, d.Tags ?? new Dictionary<string, string>(), endpoint);
    }

    public void Dispose() => _rpc.Dispose();
}
