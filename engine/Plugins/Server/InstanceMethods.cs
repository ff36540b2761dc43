using System.Text.Json;
using Deploy.Engine.Diagnostics;
using Deploy.Engine.Json;
using Deploy.Engine.Plugins.Instance;
using Deploy.Engine.Spec;

namespace Deploy.Engine.Plugins.Server;

/// <summary>
/// One instance plugin behind InfraKit's instance methods: <c>/Instance.Validate</c>, <c>/Instance.Provision</c>,
/// <c>/Instance.Destroy/{id}</c> and <c>/Instance.DescribeInstances</c>.
/// </summary>
internal sealed class InstanceMethods(IInstancePlugin plugin) : IPluginMethods
{
    public IReadOnlyList<string> Methods { get; } = ["Instance.Validate", "Instance.Provision", "Instance.Destroy/{id}", "Instance.DescribeInstances"];

    public async Task<PluginResponse?> CallAsync(string method, string? id, byte[] body, CancellationToken cancellationToken)
    {
        switch (method, id)
        {
            case ("Instance.Validate", null):
                var properties = InfraKitTypes.Body(method, body);
                // A JSON null is no properties, as a group spec without "Properties" is.
                Validate(method, properties, properties?.Root is { ValueKind: not JsonValueKind.Null } root ? root : null, "$");
                return PluginResponse.Empty;

            case ("Instance.Provision", null):
                var source = InfraKitTypes.RequiredBody(method, body, "an instance Spec {\"Properties\": ..., \"Tags\": {...}}");
                var bag = new DiagnosticBag();
                var spec = InfraKitTypes.ReadSpec(source.Root, "$", bag);
                InfraKitTypes.ThrowIfErrors(source, bag);
                // Deploy's plugins read only properties they validated; InfraKit's group validates first, a direct caller may not.
                Validate(method, source, spec.Properties, JsonReading.ChildPath(source.Root, "$", "Properties"));
                return PluginResponse.Json(new Dictionary<string, string> { ["ID"] = await plugin.ProvisionAsync(spec, cancellationToken) });

            case ("Instance.Destroy", { } instanceId):
                await plugin.DestroyAsync(instanceId, cancellationToken);
                return PluginResponse.Empty;

            case ("Instance.DescribeInstances", null):
                var tagsSource = InfraKitTypes.Body(method, body);
                var tagsBag = new DiagnosticBag();
                var tags = InfraKitTypes.ReadTags(tagsSource?.Root, "$", tagsBag);
                if (tagsSource is not null)
                {
                    InfraKitTypes.ThrowIfErrors(tagsSource, tagsBag);
                }

                var found = await plugin.DescribeAsync(tags, cancellationToken);
                return PluginResponse.Json(found.Select(InfraKitTypes.Write).ToList());

            default:
                return null;
        }
    }

    private void Validate(string method, JsonSource? source, JsonElement? properties, string path)
    {
        var errors = plugin.Validate(properties, path).Where(d => d.Severity == Severity.Error).ToList();
        if (errors.Count > 0)
        {
            throw new DeployException(source?.Locate(errors) ?? errors.Select(d => d with { File = d.File ?? method }).ToList());
        }
    }
}
