using Deploy.Engine.Apps;
using Deploy.Engine.Planning;
using Deploy.Engine.Spec;

namespace Deploy.Engine.BlueGreen;

/// <summary>
/// The pure app planner: (resolved app, observation) → <see cref="AppPlan"/>. No I/O: <c>plan</c> renders what it
/// returns and <c>apply</c> executes the same object.
/// </summary>
public static class AppPlanner
{
    /// <summary>
    /// Plans a deploy of <paramref name="app"/> onto what <paramref name="seen"/> found. <paramref name="platformHealth"/>
    /// tells whether a colour's instance plugin judges health itself (its answer is fixed by the plugin, so the plan stays pure).
    /// </summary>
    /// <param name="preparation">What the colour's instance plugin does to get ready (pull an image), as a sentence; null when nothing.</param>
    /// <param name="orchestrator">For a colour whose orchestrator owns its group: its noun and what it runs (see <see cref="Plugins.Group.IGroupPlugin.Describe"/>); else null.</param>
    public static AppPlan Plan(ResolvedApp app, Observation seen, bool noFlip, Func<ColourSpec, bool>? platformHealth = null,
        Func<ColourSpec, string?>? preparation = null, Func<ColourSpec, (string Noun, string Runs)?>? orchestrator = null)
    {
        var live = seen.Live is null ? null : app.Colour(seen.Live);
        var liveVersion = seen.Live is null ? null : seen.VersionOf(seen.Live);
        if (live is not null && IsRunning(live, seen))
        {
            return new AppPlan(app.Id, live.Colour, liveVersion, live.Colour, liveVersion, null, []);
        }

        var target = live is null ? app.First : app.Other(live.Colour);
        var isNew = !seen.Committed.Contains(target.Group.Id);
        var group = orchestrator?.Invoke(target) is { } what
            ? OrchestratedPlanner.Plan(target.Group, target.ConfigHash, seen.Orchestrated.GetValueOrDefault(target.Colour), what, isNew)
            : GroupPlanner.Plan(target.Group, target.ConfigHash, seen.Instances[target.Colour], isNew);
        var steps = new List<AppStep>();
        if (preparation?.Invoke(target) is { } prepares)
        {
            steps.Add(new(AppStepKind.Prepare, $"{target.Colour}: {prepares}, before any instance is touched"));
        }

        if (seen.Route is { Backups.Count: > 0 })
        {
            steps.Add(new(AppStepKind.Isolate, $"proxy: takes {target.Colour} out of the backups before it changes"));
        }

        steps.Add(new(AppStepKind.Converge, $"{target.Group.Id} : {group.Description}"));
        var platform = platformHealth?.Invoke(target) == true;
        if (target.Health is { } health)
        {
            steps.Add(new(AppStepKind.Health, $"waits until every {target.Colour} instance answers {health.Path} {health.HealthyThreshold} times in a row" +
                (platform ? " and its platform reports it healthy" : "") + $" (deadline {Duration.Format(health.Deadline)})"));
        }
        else if (platform)
        {
            steps.Add(new(AppStepKind.Health, $"waits until its platform reports every {target.Colour} instance healthy (deadline {Duration.Format(HealthWait.PlatformOnly.Deadline)})"));
        }

        if (target.Verify is { } verify)
        {
            steps.Add(new(AppStepKind.Verify, $"verifies {verify.Path} on each {target.Colour} instance"));
        }

        if (target.Hooks.BeforeFlip.Count > 0)
        {
            steps.Add(new(AppStepKind.BeforeFlip, "runs the BeforeFlip hook; a failure stops here"));
        }

        if (noFlip)
        {
            steps.Add(new(AppStepKind.Hold, $"stops before the flip (--no-flip); {live?.Colour ?? "nothing"} stays live"));
            return new AppPlan(app.Id, live?.Colour, liveVersion, target.Colour, app.Version, group, steps);
        }

        var seenBy = app.ProxyUrl is null ? "" : $", then waits until {app.ProxyUrl} answers from {target.Colour}";
        steps.Add(new(AppStepKind.Flip, $"proxy ({app.Proxy.Plugin}): flips {live?.Colour ?? "nothing"} -> {target.Colour}{seenBy}"));
        if (target.Verify is { } check && app.ProxyUrl is not null)
        {
            steps.Add(new(AppStepKind.VerifyThroughProxy, $"verifies through the proxy for {Duration.Format(check.Duration)}" +
                (live is null ? "" : $"; on failure flips back to {live.Colour}")));
        }

        if (target.Hooks.AfterFlip.Count > 0)
        {
            steps.Add(new(AppStepKind.AfterFlip, "runs the AfterFlip hook (a failure only warns)"));
        }

        if (live is not null)
        {
            steps.Add(app.Spec.Standby.Keep
                ? new(AppStepKind.Standby, $"{live.Colour}: kept as hot standby for an instant rollback")
                : new(AppStepKind.Retire, $"{live.Colour}: drained for {Duration.Format(app.Spec.Standby.EffectiveDrainTimeout)}, then destroyed"));
        }

        return new AppPlan(app.Id, live?.Colour, liveVersion, target.Colour, app.Version, group, steps);
    }

    /// <summary>
    /// The live colour runs this configuration when the proxy and every instance carry its hash and the group is
    /// complete: the same spec applied again is a no-op.
    /// </summary>
    public static bool IsRunning(ColourSpec live, Observation seen) =>
        seen.Route?.ConfigHash == live.ConfigHash &&
        seen.Members[live.Colour].Count == live.Group.Properties.Allocation.DesiredCount &&
        seen.Members[live.Colour].All(m => m.Tags.GetValueOrDefault(GroupPlanner.HashTag) == live.ConfigHash);
}
