using Deploy.Engine.Plugins.Group;
using Deploy.Engine.Spec;

namespace Deploy.Engine.Planning;

/// <summary>What the engine asks of an orchestrator for one group.</summary>
public enum OrchestratedAction
{
    /// <summary>The orchestrator already runs this spec with these replicas.</summary>
    None,

    /// <summary>The group does not exist: create it.</summary>
    Create,

    /// <summary>It runs another spec: update it (the orchestrator rolls its tasks).</summary>
    Update,

    /// <summary>Same spec, other replica count: scale it.</summary>
    Scale,

    /// <summary>Same spec, but the orchestrator paused or rolled back its update: run the update again.</summary>
    Retry,
}

/// <summary>An orchestrated group's change and the sentence that explains it.</summary>
public sealed record OrchestratedChange(OrchestratedAction Action, string Sentence);

/// <summary>
/// The pure planner of orchestrated groups: (spec, config hash, the group as the orchestrator reports it) → a
/// <see cref="GroupPlan"/> whose <see cref="GroupPlan.Orchestrated"/> says what to commit. No I/O.
/// </summary>
public static class OrchestratedPlanner
{
    /// <summary>Plans <paramref name="spec"/> against <paramref name="observed"/> (null: the group does not exist).</summary>
    /// <param name="what">The plugin's noun for a group and what it runs, e.g. (<c>service</c>, <c>image hello:2</c>).</param>
    public static GroupPlan Plan(GroupSpec spec, string hash, OrchestratedGroup? observed, (string Noun, string Runs) what, bool isNewGroup)
    {
        var replicas = spec.Properties.Allocation.DesiredCount;
        var (noun, runs) = what;
        var name = $"{noun} {spec.Id}";
        var change = observed switch
        {
            null => new OrchestratedChange(OrchestratedAction.Create, $"Creates {name} with {Replicas(replicas)} of {runs}"),
            _ when observed.ConfigHash != hash => new OrchestratedChange(OrchestratedAction.Update,
                $"Updates {name} to {runs}{Scaling(observed.Replicas, replicas)}, {Tasks(spec.Properties.Updating.Count)} at a time"),
            { Rollout: GroupRollout.Paused or GroupRollout.RolledBack } => new OrchestratedChange(OrchestratedAction.Retry,
                $"Retries the update of {name} to {runs}{(observed.Replicas == replicas ? "" : Scaling(observed.Replicas, replicas))}, which its orchestrator stopped{(observed.RolloutMessage is { } why ? $" ({why})" : "")}"),
            _ when observed.Replicas != replicas => new OrchestratedChange(OrchestratedAction.Scale,
                $"Scales {name} from {observed.Replicas} to {Replicas(replicas)}"),
            _ => new OrchestratedChange(OrchestratedAction.None, "Noop"),
        };
        return new GroupPlan(spec.Id, hash, replicas, isNewGroup, [], [], []) { Orchestrated = change };
    }

    private static string Scaling(int from, int to) => from == to ? $" ({Replicas(to)})" : $" and from {from} to {Replicas(to)}";

    private static string Tasks(int count) => count == 1 ? "1 task" : $"{count} tasks";

    private static string Replicas(int count) => count == 1 ? "1 replica" : $"{count} replicas";
}
