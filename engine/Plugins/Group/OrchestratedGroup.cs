using Deploy.Engine.Plugins.Instance;

namespace Deploy.Engine.Plugins.Group;

/// <summary>
/// An orchestrated group as its orchestrator reports it: the replicas and config hash it was given, where its own
/// rollout stands, and every task it knows of (running, starting, failed), newest first.
/// </summary>
public sealed record OrchestratedGroup(
    string GroupId,
    int Replicas,
    string? ConfigHash,
    GroupRollout Rollout,
    string? RolloutMessage,
    IReadOnlyList<GroupTask> Tasks)
{
    /// <summary>The tasks that run and are meant to: the group's instances, as the engine's checks and proxies see them.</summary>
    public IReadOnlyList<InstanceDescription> Instances =>
        Tasks.Where(t => t is { State: GroupTaskState.Running, Desired: true })
            .OrderBy(t => t.Slot).ThenBy(t => t.Id, StringComparer.Ordinal)
            .Select(t => new InstanceDescription(t.Id, null, t.Tags, t.Endpoint)).ToList();
}

/// <summary>Where the orchestrator's own update of a group stands.</summary>
public enum GroupRollout
{
    /// <summary>No update is running: the last one completed, or the group was created and never updated.</summary>
    Complete,

    /// <summary>The orchestrator is replacing tasks.</summary>
    Updating,

    /// <summary>The orchestrator stopped the update because new tasks failed.</summary>
    Paused,

    /// <summary>The orchestrator is rolling the update back, or did.</summary>
    RolledBack,
}

/// <summary>What a task is doing, in the orchestrator's words mapped onto these.</summary>
public enum GroupTaskState
{
    /// <summary>Waiting for a node (no node fits yet), or being placed.</summary>
    Pending,

    /// <summary>On a node, being prepared or started (pulling, starting, health check not passed yet).</summary>
    Starting,

    /// <summary>Running (and healthy, where the image has a health check).</summary>
    Running,

    /// <summary>Failed or rejected by its node; <see cref="GroupTask.Error"/> says why.</summary>
    Failed,

    /// <summary>Stopped on purpose (replaced, scaled away, or its node left).</summary>
    Stopped,
}

/// <summary>One task (replica) of an orchestrated group.</summary>
/// <param name="Id">The orchestrator's task ID: the instance ID the engine shows.</param>
/// <param name="Slot">The replica's slot (1..replicas).</param>
/// <param name="Node">The name of the node it is on; empty while pending.</param>
/// <param name="State">What it does now.</param>
/// <param name="Desired">True when the orchestrator wants it running (false for a task being replaced or shut down).</param>
/// <param name="Tags">The group's tags as the task was created with them (its config hash among them).</param>
/// <param name="Endpoint">Where it answers: its node's address and its port; null while it has no node.</param>
/// <param name="Error">Why it failed or cannot be placed; null when nothing is wrong.</param>
public sealed record GroupTask(
    string Id,
    int Slot,
    string Node,
    GroupTaskState State,
    bool Desired,
    IReadOnlyDictionary<string, string> Tags,
    Endpoint? Endpoint,
    string? Error)
{
    /// <summary>The config hash the task was created with.</summary>
    public string? ConfigHash => Tags.GetValueOrDefault(Planning.GroupPlanner.HashTag);
}
