using System.Text.Json;
using Deploy.Engine.Diagnostics;

namespace Deploy.Engine.Plugins.Group;

/// <summary>
/// InfraKit's group SPI: an orchestrator that owns a whole group's instances (a Swarm service; a Kubernetes Deployment
/// would be another). The engine commits the group's desired state, observes it and destroys it as a unit; the
/// orchestrator's own reconciler creates, replaces and reschedules the instances. The engine never provisions one of
/// them itself, so it never fights that reconciler. A group spec names it in <c>Orchestrator.Plugin</c>.
/// </summary>
public interface IGroupPlugin
{
    /// <summary>The name specs use, e.g. <c>group-swarm</c>.</summary>
    string Name { get; }

    /// <summary>One line for <c>deploy plugin ls</c>.</summary>
    string Description { get; }

    /// <summary>
    /// Checks the plugin's <c>Properties</c> at <paramref name="path"/> for a group of <paramref name="replicas"/> (an
    /// orchestrator may hold only so many); pure, so calling it twice is harmless.
    /// </summary>
    IEnumerable<Diagnostic> Validate(JsonElement? properties, int replicas, string path);

    /// <summary>What a group of this plugin is called and what it runs, for plan sentences: (<c>service</c>, <c>image hello:2</c>). Pure.</summary>
    (string Noun, string Runs) Describe(JsonElement? properties);

    /// <summary>The group as the orchestrator runs it now (<paramref name="properties"/> say where the orchestrator is); null when it does not exist. Reads only.</summary>
    Task<OrchestratedGroup?> InspectAsync(string groupId, JsonElement? properties, CancellationToken cancellationToken);

    /// <summary>
    /// Hands <paramref name="commit"/> to the orchestrator: creates the group, or updates it when what it runs or its
    /// replica count differs, or restarts an update the orchestrator paused. Returns at once; the orchestrator converges.
    /// Idempotent: committing the same spec twice changes nothing the second time.
    /// </summary>
    Task CommitAsync(GroupCommit commit, CancellationToken cancellationToken);

    /// <summary>Removes the group and everything it runs. Idempotent: a group that is gone is fine.</summary>
    Task DestroyAsync(string groupId, JsonElement? properties, CancellationToken cancellationToken);
}

/// <summary>
/// The desired state of an orchestrated group: its replicas, the plugin's properties, the tags every instance carries
/// (group, config hash, app, colour, version) and how updates roll.
/// </summary>
public sealed record GroupCommit(
    string GroupId,
    int Replicas,
    string ConfigHash,
    JsonElement? Properties,
    IReadOnlyDictionary<string, string> Tags,
    Spec.UpdatingSpec Updating)
{
    /// <summary>Values that must never reach an output in clear; the orchestrator gets them as they are.</summary>
    public IReadOnlyCollection<string> Secrets { get; init; } = [];

    /// <summary>The spec's folder, for relative paths in <see cref="Properties"/>; default none.</summary>
    public string? BaseDirectory { get; init; }

    /// <summary>Restart an update the orchestrator paused or rolled back, even though the spec is unchanged.</summary>
    public bool Retry { get; init; }
}
