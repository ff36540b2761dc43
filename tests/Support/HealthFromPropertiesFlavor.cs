using System.Text.Json;
using Deploy.Engine.Diagnostics;
using Deploy.Engine.Plugins.Flavor;
using Deploy.Engine.Plugins.Instance;

namespace Deploy.Tests.Support;

/// <summary>
/// A flavor whose health is what the instance was provisioned with: <c>"Healthy": false</c> in the instance
/// properties makes it Unhealthy. Reads the memory plugin's real records; nothing is scripted.
/// </summary>
public sealed class HealthFromPropertiesFlavor(MemoryInstancePlugin instances) : IFlavorPlugin
{
    private readonly VanillaFlavor _vanilla = new();

    public string Name => "flavor-health";

    public string Description => "Vanilla, with health taken from the instance's Healthy property";

    public IEnumerable<Diagnostic> Validate(JsonElement? properties, string path) => _vanilla.Validate(properties, path);

    public InstanceSpec Prepare(JsonElement? properties, InstanceSpec spec) => _vanilla.Prepare(properties, spec);

    public Task<InstanceHealth> HealthAsync(JsonElement? properties, InstanceDescription instance, CancellationToken cancellationToken)
    {
        var spec = instances.SpecOf(instance.Id);
        var healthy = spec?.Properties is { } p && p.TryGetProperty("Healthy", out var h) ? h.GetBoolean() : true;
        return Task.FromResult(healthy ? InstanceHealth.Healthy : InstanceHealth.Unhealthy);
    }

    public Task DrainAsync(JsonElement? properties, InstanceDescription instance, CancellationToken cancellationToken) => Task.CompletedTask;
}
