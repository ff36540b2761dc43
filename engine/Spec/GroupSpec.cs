using System.Text.Json;

namespace Deploy.Engine.Spec;

/// <summary>An InfraKit group: <c>{"ID": ..., "Properties": {...}}</c>. Required: both.</summary>
public sealed record GroupSpec(string Id, GroupProperties Properties)
{
    /// <summary>
    /// The folder relative paths in plugin properties resolve against: the spec file's folder (an app's colours: the
    /// app spec's). Optional, default none (the current folder). Not part of the config hash.
    /// </summary>
    public string? BaseDirectory { get; init; }
}

/// <summary>
/// A group's desired state. Required: Allocation, and either Instance and Flavor (Deploy's own scaler provisions each
/// instance through them) or Orchestrator (a group plugin, e.g. <c>group-swarm</c>, owns the whole group's replicas);
/// Updating defaults to one at a time.
/// </summary>
public sealed record GroupProperties(
    Allocation Allocation,
    PluginSpec? Instance,
    PluginSpec? Flavor,
    UpdatingSpec Updating,
    PluginSpec? Orchestrator = null)
{
    /// <summary>True when an orchestrator plugin owns the group's instances (see <see cref="Plugins.Group.IGroupPlugin"/>).</summary>
    public bool IsOrchestrated => Orchestrator is not null;

    /// <summary>The instance section of a scaler group; an orchestrated group has none.</summary>
    public PluginSpec InstanceSection => Instance ?? throw new InvalidOperationException("an orchestrated group has no Instance section");

    /// <summary>The flavor section of a scaler group; an orchestrated group has none.</summary>
    public PluginSpec FlavorSection => Flavor ?? throw new InvalidOperationException("an orchestrated group has no Flavor section");

    /// <summary>The plugin that owns the group's instances: the orchestrator's, else the instance plugin's.</summary>
    public PluginSpec Owner => Orchestrator ?? InstanceSection;
}

/// <summary>How many instances: a scaler group (<see cref="Size"/>) or a quorum group (<see cref="LogicalIds"/>), never both.</summary>
public sealed record Allocation(int? Size, IReadOnlyList<string>? LogicalIds)
{
    /// <summary>The largest Size (and the most logical IDs) a group may have.</summary>
    public const int MaxSize = 100_000;

    /// <summary>True for a group with one instance per logical ID.</summary>
    public bool IsQuorum => LogicalIds is not null;

    /// <summary>The number of instances the group should have.</summary>
    public int DesiredCount => LogicalIds?.Count ?? Size ?? 0;
}

/// <summary>A plugin section: its name and its properties, kept as JSON until the plugin validates them.</summary>
public sealed record PluginSpec(string Plugin, JsonElement? Properties);

/// <summary>
/// How a rolling update proceeds. Count: instances replaced per step (default 1). Surge: create the
/// replacement before destroying the old instance (default false). Deadline: the longest wait for
/// quiescence after a step (default 10 minutes).
/// </summary>
public sealed record UpdatingSpec(int Count = 1, bool Surge = false, TimeSpan? Deadline = null)
{
    /// <summary>The default wait for quiescence.</summary>
    public static readonly TimeSpan DefaultDeadline = TimeSpan.FromMinutes(10);

    /// <summary>The deadline in force.</summary>
    public TimeSpan EffectiveDeadline => Deadline ?? DefaultDeadline;
}
