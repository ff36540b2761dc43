using Deploy.Engine.Planning;
using Deploy.Engine.Plugins.Instance;

namespace Deploy.Engine.Converge;

/// <summary>
/// The one party that converges a group: Deploy's own scaler (<see cref="ScalerOwner"/>, instance by instance through
/// an instance and a flavor plugin) or an orchestrator (<see cref="OrchestratorOwner"/>, the group as a unit through a
/// group plugin). The group service, apply and the controller all go through it, so a group is never converged two ways.
/// </summary>
public interface IGroupOwner
{
    /// <summary>The plugin whose optional abilities (logs, details, preparation, platform health) apply to the group's instances.</summary>
    object Plugin { get; }

    /// <summary>The group's instances now, found by its tag (scaler) or as the orchestrator's running tasks. Reads only.</summary>
    Task<IReadOnlyList<InstanceDescription>> ObserveAsync(CancellationToken cancellationToken);

    /// <summary>The plan for the group's spec, with instances tagged <paramref name="hash"/>, against what exists now. Changes nothing.</summary>
    Task<GroupPlan> PlanAsync(string hash, bool isNew, CancellationToken cancellationToken);

    /// <summary>Carries out <paramref name="plan"/> and returns once the group is quiescent; a re-run after a crash picks up where it stopped.</summary>
    Task ExecuteAsync(GroupPlan plan, CancellationToken cancellationToken);

    /// <summary>
    /// Returns once the group is quiescent with instances tagged <paramref name="hash"/>: at once for Deploy's scaler, whose
    /// instances nobody else replaces; for an orchestrator, once it reports its update done and every task running.
    /// </summary>
    Task WaitQuiescentAsync(string hash, CancellationToken cancellationToken);

    /// <summary>Destroys every instance of the group; returns how many there were. Idempotent.</summary>
    Task<int> DestroyAsync(CancellationToken cancellationToken);
}
