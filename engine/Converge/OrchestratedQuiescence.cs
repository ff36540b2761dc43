using System.Diagnostics;
using Deploy.Engine.Diagnostics;
using Deploy.Engine.Events;
using Deploy.Engine.Plugins.Group;
using Deploy.Engine.Spec;

namespace Deploy.Engine.Converge;

/// <summary>
/// Waits until an orchestrated group is quiescent: the orchestrator's update is complete and exactly the desired number
/// of tasks run, all with the new config hash (running means healthy where the image has a health check). Bounded by
/// <c>Updating.Deadline</c>, and cut short when the orchestrator gives up (a paused or rolled-back update), when every
/// new task failed (a missing image) or when tasks stay unplaceable (a constraint no node meets): waiting longer would
/// not help, and the error quotes the orchestrator's reason.
/// </summary>
internal sealed class OrchestratedQuiescence(IGroupPlugin plugin, ConvergeOptions options, IDeployEvents events)
{
    /// <summary>How long tasks may stay pending with a reason (no node fits) before the wait gives up.</summary>
    public static readonly TimeSpan Unplaceable = TimeSpan.FromSeconds(10);

    /// <summary>Returns once the group runs <paramref name="replicas"/> tasks of <paramref name="hash"/> and nothing else.</summary>
    public async Task WaitAsync(GroupSpec spec, string hash, int replicas, CancellationToken cancellationToken)
    {
        var deadline = spec.Properties.Updating.EffectiveDeadline;
        var clock = Stopwatch.StartNew();
        TimeSpan? pendingSince = null;
        while (true)
        {
            var group = await plugin.InspectAsync(spec.Id, spec.Properties.Orchestrator!.Properties, cancellationToken)
                ?? throw Stopped(spec, $"it no longer exists; something removed it while it was being converged");
            var current = group.Tasks.Where(t => t.Desired && t.ConfigHash == hash).ToList();
            var running = current.Count(t => t.State == GroupTaskState.Running);
            var others = group.Instances.Count(i => i.Tags.GetValueOrDefault(Planning.GroupPlanner.HashTag) != hash);
            if (group.Rollout == GroupRollout.Complete && running == replicas && others == 0 && group.Instances.Count == replicas)
            {
                events.Info($"Orchestrator has quiesced: {replicas} tasks of {spec.Id} run");
                return;
            }

            if (group.Rollout is GroupRollout.Paused or GroupRollout.RolledBack)
            {
                throw Stopped(spec, $"its orchestrator stopped the update ({group.RolloutMessage ?? "no reason given"}){Reasons(group, hash)}");
            }

            var failed = group.Tasks.Count(t => t.ConfigHash == hash && t.State == GroupTaskState.Failed);
            if (replicas > 0 && failed >= replicas && running == 0)
            {
                throw Stopped(spec, $"{failed} of its new tasks failed and none runs{Reasons(group, hash)}");
            }

            pendingSince = current.Any(t => t is { State: GroupTaskState.Pending, Error: not null }) ? pendingSince ?? clock.Elapsed : null;
            if (pendingSince is { } since && clock.Elapsed - since >= Unplaceable)
            {
                throw Stopped(spec, $"tasks stayed unplaced for {Duration.Format(Unplaceable)}{Reasons(group, hash)}");
            }

            if (clock.Elapsed >= deadline)
            {
                throw Stopped(spec, $"{running} of {replicas} new tasks run after {Duration.Format(deadline)}{Reasons(group, hash)}");
            }

            await Task.Delay(options.PollInterval, cancellationToken);
        }
    }

    // The orchestrator's distinct reasons for the new tasks, quoted: they say what to fix (an image, a constraint).
    private static string Reasons(OrchestratedGroup group, string hash)
    {
        var reasons = group.Tasks.Where(t => t.ConfigHash == hash && t.Error is not null).Select(t => t.Error!).Distinct().Take(3).ToList();
        return reasons.Count == 0 ? "" : ": " + string.Join("; ", reasons);
    }

    private static DeployException Stopped(GroupSpec spec, string why) =>
        new(Errors.NotQuiescent, $"group {spec.Id} did not become quiescent: {why}. No other group was touched; fix the spec and run again");
}
