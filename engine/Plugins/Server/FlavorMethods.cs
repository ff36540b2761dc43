using System.Text.Json;
using Deploy.Engine.Diagnostics;
using Deploy.Engine.Json;
using Deploy.Engine.Plugins.Flavor;
using Deploy.Engine.Spec;

namespace Deploy.Engine.Plugins.Server;

/// <summary>One flavor plugin behind InfraKit's flavor methods: <c>/Flavor.Validate</c>, <c>/Flavor.PreProvision</c>, <c>/Flavor.Healthy</c>.</summary>
internal sealed class FlavorMethods(IFlavorPlugin plugin) : IPluginMethods
{
    public IReadOnlyList<string> Methods { get; } = ["Flavor.Validate", "Flavor.PreProvision", "Flavor.Healthy"];

    public async Task<PluginResponse?> CallAsync(string method, string? id, byte[] body, CancellationToken cancellationToken)
    {
        if (id is not null)
        {
            return null;
        }

        switch (method)
        {
            case "Flavor.Validate":
            {
                var source = InfraKitTypes.RequiredBody(method, body, "{\"Properties\": {...}, \"Allocation\": {\"Size\": 2}}");
                var bag = new DiagnosticBag();
                JsonReading.KnownFields(source.Root, "$", bag, "Properties", "Allocation");
                InfraKitTypes.CheckAllocation(Field(source.Root, "Allocation"), JsonReading.ChildPath(source.Root, "$", "Allocation"), bag);
                bag.AddRange(plugin.Validate(Field(source.Root, "Properties"), JsonReading.ChildPath(source.Root, "$", "Properties")));
                InfraKitTypes.ThrowIfErrors(source, bag);
                return PluginResponse.Empty;
            }

            case "Flavor.PreProvision":
            {
                var source = InfraKitTypes.RequiredBody(method, body, "{\"Properties\": {...}, \"Instance\": {...}, \"Allocation\": {\"Size\": 2}}");
                var bag = new DiagnosticBag();
                JsonReading.KnownFields(source.Root, "$", bag, "Properties", "Instance", "Allocation");
                InfraKitTypes.CheckAllocation(Field(source.Root, "Allocation"), JsonReading.ChildPath(source.Root, "$", "Allocation"), bag);
                var properties = Field(source.Root, "Properties");
                // Prepare reads only properties Validate accepted: check them here, as Deploy's group does before provisioning.
                bag.AddRange(plugin.Validate(properties, JsonReading.ChildPath(source.Root, "$", "Properties")));
                var spec = InfraKitTypes.ReadSpec(Field(source.Root, "Instance"), JsonReading.ChildPath(source.Root, "$", "Instance"), bag);
                InfraKitTypes.ThrowIfErrors(source, bag);
                return PluginResponse.Json(InfraKitTypes.Write(plugin.Prepare(properties, spec)));
            }

            case "Flavor.Healthy":
            {
                var source = InfraKitTypes.RequiredBody(method, body, "an instance Description {\"ID\": \"...\", \"Tags\": {...}}");
                var bag = new DiagnosticBag();
                var instance = InfraKitTypes.ReadDescription(source.Root, "$", bag);
                InfraKitTypes.ThrowIfErrors(source, bag);
                // InfraKit's Healthy of this era takes no flavor properties; "not known yet" is not healthy.
                var health = await plugin.HealthAsync(null, instance, cancellationToken);
                return PluginResponse.Json(new Dictionary<string, object> { ["Healthy"] = health == Flavor.InstanceHealth.Healthy, ["Instance"] = InfraKitTypes.Write(instance) });
            }

            default:
                return null;
        }
    }

    private static JsonElement? Field(JsonElement obj, string name) => JsonReading.TryGet(obj, name, out var v) ? v : null;
}
