using Deploy.Engine.Diagnostics;
using Deploy.Engine.Events;
using Deploy.Engine.State;

namespace Deploy.Engine.Groups;

/// <summary>The controller's side of the group service: one reconcile pass over every watched group.</summary>
public sealed partial class GroupService
{
    /// <summary>
    /// One controller pass over every watched group: converge each whose lock is free, skip the others (and any
    /// whose journal names a live owner). Returns the groups that changed. Whatever fails for one group is reported
    /// as a warning and does not stop the others; only cancelling <paramref name="cancellationToken"/> ends the pass.
    /// </summary>
    public async Task<IReadOnlyList<GroupChange>> ReconcileAllAsync(CancellationToken cancellationToken)
    {
        var changed = new List<GroupChange>();
        foreach (var id in _state.GroupIds())
        {
            if (await ControllerPass.TryAsync(options.Events, $"reconciling group {id}", () => ReconcileAsync(id, cancellationToken), cancellationToken) is { } change)
            {
                changed.Add(change);
            }
        }

        return changed;
    }

    // One group of the controller's pass: null when skipped (held, in flight elsewhere, freed) or unchanged.
    private async Task<GroupChange?> ReconcileAsync(string id, CancellationToken cancellationToken)
    {
        using var held = LockFile.TryAcquire(_state.LocksDirectory, LockName(id), LockFile.ControllerCommand, options.Events, out _);
        if (held is null || _state.Journal.Pending(id) is { InFlightElsewhere: true })
        {
            return null; // a one-shot command is working on it: never fight it
        }

        var committed = _state.Committed(id, plugins, options.Environment);
        if (committed is null)
        {
            return null; // freed or destroyed since the listing
        }

        if (committed.Spec.Properties.IsOrchestrated
            && (await PlanAsync(committed.Spec, isNew: false, cancellationToken)).Orchestrated?.Action == Planning.OrchestratedAction.Retry)
        {
            return null; // its orchestrator stopped an update that failed: retrying it every pass would only fail again; a command retries it
        }

        // An app colour's secrets (filled from DEPLOY_VAR_*) are masked in whatever this pass reports.
        var mask = new SecretMask(committed.Secrets);
        try
        {
            var change = await ConvergeAsync(committed.Spec, isNew: false, announce: false, cancellationToken, committed.Tags, secrets: committed.Secrets);
            return change.Changed ? change : null;
        }
        catch (DeployException e)
        {
            throw new DeployException(e.Diagnostics.Select(mask.Apply).ToList());
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw DeployException.Unexpected($"reconciling group {id}", mask.Apply(e.Message.Split('\n')[0]), mask.Apply(e.ToString()));
        }
    }
}
