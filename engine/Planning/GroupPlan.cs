using Deploy.Engine.Plugins.Instance;

namespace Deploy.Engine.Planning;

/// <summary>
/// What converging a group will do, computed by <see cref="GroupPlanner"/> from the spec and the observed
/// instances. Steps run in the order the sentence reads: terminate, then roll, then add.
/// </summary>
public sealed record GroupPlan(
    string GroupId,
    string ConfigHash,
    int DesiredSize,
    bool IsNewGroup,
    IReadOnlyList<InstanceDescription> ToDestroy,
    IReadOnlyList<InstanceDescription> ToRoll,
    IReadOnlyList<string?> ToAdd)
{
    /// <summary>What an orchestrator will be asked to do, for an orchestrated group (its lists above are empty); else null.</summary>
    public OrchestratedChange? Orchestrated { get; init; }

    /// <summary>True when nothing needs to change.</summary>
    public bool IsNoop => Orchestrated is { } change
        ? change.Action == OrchestratedAction.None
        : ToDestroy.Count == 0 && ToRoll.Count == 0 && ToAdd.Count == 0;

    /// <summary>The plan as one sentence, e.g. <c>Performs a rolling update on 2 instances</c> or <c>Creates service app-green with 4 replicas of image hello:2</c>.</summary>
    public string Description => Orchestrated is { Action: not OrchestratedAction.None } change ? change.Sentence : PlanSentence.Describe(this);
}
