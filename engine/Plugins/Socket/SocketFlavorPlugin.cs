using System.Text.Json;
using Deploy.Engine.Diagnostics;
using Deploy.Engine.Plugins.Flavor;
using Deploy.Engine.Plugins.Instance;

namespace Deploy.Engine.Plugins.Socket;

/// <summary>
/// An external InfraKit flavor plugin reached over its unix socket (<c>/Flavor.*</c>). Preparing is I/O here, so it
/// overrides <see cref="IFlavorPlugin.PrepareAsync"/>; the synchronous <see cref="Prepare"/> blocks on the same call,
/// within the same deadline. Deploy's flavor seam carries no allocation, so the plugin is sent <c>{"Size": 0}</c>.
/// </summary>
public sealed class SocketFlavorPlugin(string name, string socketPath) : IFlavorPlugin, IDisposable
{
    private static readonly WireAllocation NoAllocation = new(0, null);
    private readonly SocketRpc _rpc = new(name, socketPath);

    public string Name => _rpc.Plugin;

    public string Description => "InfraKit flavor plugin over its socket";

    /// <summary><c>/Flavor.Validate</c>; the plugin's error becomes bad input at <paramref name="path"/>.</summary>
    public IEnumerable<Diagnostic> Validate(JsonElement? properties, string path) =>
        SocketValidation.Run(_rpc, "/Flavor.Validate", new WireFlavorValidate(properties, NoAllocation), path);

    public InstanceSpec Prepare(JsonElement? properties, InstanceSpec spec) =>
        Task.Run(() => PrepareAsync(properties, spec, CancellationToken.None)).GetAwaiter().GetResult();

    /// <summary>
    /// <c>/Flavor.PreProvision</c>, within <see cref="SocketRpc.Quick"/>: a flavor only rewrites the spec. What it
    /// answers replaces init, tags and properties; the engine's own tags (group, config hash) are kept whatever it says,
    /// since instances are found again by them.
    /// </summary>
    public async Task<InstanceSpec> PrepareAsync(JsonElement? properties, InstanceSpec spec, CancellationToken cancellationToken)
    {
        const string path = "/Flavor.PreProvision";
        var body = new WirePreProvision(properties, new WireInstanceSpec(spec.Properties, spec.Tags, spec.Init ?? "", spec.LogicalId, null), NoAllocation);
        var answer = await _rpc.CallAsync<WireInstanceSpec>(path, body, SocketRpc.Quick, cancellationToken)
            ?? throw _rpc.Failed(path, "answered with no instance spec", "the plugin must answer the prepared {\"Properties\", \"Tags\", \"Init\", ...}; fix the plugin");
        var tags = new Dictionary<string, string>(answer.Tags ?? new Dictionary<string, string>(), StringComparer.Ordinal);
        foreach (var (key, value) in spec.Tags)
        {
            tags[key] = value;
        }

        return spec with
        {
            Properties = answer.Properties is { ValueKind: not JsonValueKind.Null } p ? p : spec.Properties,
            Tags = tags,
            Init = string.IsNullOrEmpty(answer.Init) ? spec.Init : answer.Init,
        };
    }

    /// <summary><c>/Flavor.Healthy</c>: true is healthy, false unhealthy, no verdict unknown (still starting).</summary>
    public async Task<Flavor.InstanceHealth> HealthAsync(JsonElement? properties, InstanceDescription instance, CancellationToken cancellationToken)
    {
        var body = new WireDescription(instance.Id, instance.LogicalId, instance.Tags, instance.Endpoint?.Authority);
        var answer = await _rpc.CallAsync<WireHealthy>("/Flavor.Healthy", body, SocketRpc.Quick, cancellationToken);
        return answer?.Healthy switch
        {
            true => Flavor.InstanceHealth.Healthy,
            false => Flavor.InstanceHealth.Unhealthy,
            null => Flavor.InstanceHealth.Unknown,
        };
    }

    /// <summary>InfraKit's flavor API (2016) has no drain: nothing to wait for.</summary>
    public Task DrainAsync(JsonElement? properties, InstanceDescription instance, CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() => _rpc.Dispose();
}
