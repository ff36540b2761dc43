using System.Text.Json;
using Deploy.Engine.Diagnostics;
using Deploy.Engine.Plugins.Instance;

namespace Deploy.Engine.Plugins.Flavor;

/// <summary>What runs on an instance: adds init lines and labels before provisioning, and judges health.</summary>
public interface IFlavorPlugin
{
    /// <summary>The name specs use, e.g. <c>flavor-vanilla</c>.</summary>
    string Name { get; }

    /// <summary>One line for <c>deploy plugin ls</c>.</summary>
    string Description { get; }

    /// <summary>Checks the plugin's <c>Properties</c> at <paramref name="path"/>; pure.</summary>
    IEnumerable<Diagnostic> Validate(JsonElement? properties, string path);

    /// <summary>Adds init lines and labels to <paramref name="spec"/>; pure, so preparing twice gives the same spec.</summary>
    InstanceSpec Prepare(JsonElement? properties, InstanceSpec spec);

    /// <summary>
    /// What the engine calls: <see cref="Prepare"/> for a flavor that may do I/O (an external plugin asked over its
    /// socket). The default runs <see cref="Prepare"/>, so built-in flavors stay pure and synchronous. Preparing twice
    /// gives the same spec when the flavor is deterministic.
    /// </summary>
    Task<InstanceSpec> PrepareAsync(JsonElement? properties, InstanceSpec spec, CancellationToken cancellationToken) =>
        Task.FromResult(Prepare(properties, spec));

    /// <summary>Whether the instance is ready for traffic. Read-only; may be polled.</summary>
    Task<InstanceHealth> HealthAsync(JsonElement? properties, InstanceDescription instance, CancellationToken cancellationToken);

    /// <summary>Lets the instance finish its work before it is destroyed. Draining twice is harmless.</summary>
    Task DrainAsync(JsonElement? properties, InstanceDescription instance, CancellationToken cancellationToken);
}

/// <summary>A flavor's verdict on one instance.</summary>
public enum InstanceHealth
{
    /// <summary>Not known yet (still starting).</summary>
    Unknown,
    /// <summary>Ready for traffic.</summary>
    Healthy,
    /// <summary>Running but failing.</summary>
    Unhealthy,
}
