using Deploy.Engine.Diagnostics;

namespace Deploy.Engine.BlueGreen;

/// <summary><c>deploy plan</c>: the same observation and group planner as apply, rendered as sentences. Changes nothing.</summary>
public sealed class PlanFlow(AppContext ctx)
{
    /// <summary>Observes and plans.</summary>
    public async Task<DeployResult> RunAsync(CancellationToken ct)
    {
        var app = ctx.App;
        var seen = await ctx.ObserveAsync(ct);
        var live = seen.Live is null ? null : app.Colour(seen.Live);
        var target = live is null ? app.First : app.Other(live.Colour);
        var lines = new List<string>();
        var liveVersion = live is null ? null : ApplyFlow.VersionOf(seen, live.Colour);
        lines.Add(live is null ? "live: none (first deploy)" : $"live: {live.Colour} (version {liveVersion ?? "unknown"})");
        if (live is not null && ApplyFlow.IsRunning(live, seen))
        {
            lines.Add("Noop: the live colour already runs this configuration");
            return new DeployResult(app.Id, DeployOutcome.Noop, live.Colour, live.Colour, liveVersion, false, lines, [], ctx.Mask.Apply($"{app.Id}: Noop"));
        }

        var plan = await ctx.Groups.PlanAsync(target.Group, ctx.Groups.State.CommittedJson(target.Group.Id) is null, ct, target.ConfigHash);
        lines.Add($"idle: {target.Colour} -> version {app.Version ?? "unversioned"}");
        lines.Add($"{target.Group.Id} : {plan.Description}");
        if (target.Health is not null)
        {
            lines.Add($"waits until every {target.Colour} instance answers {target.Health.Path} {target.Health.HealthyThreshold} times in a row (deadline {Spec.Duration.Format(target.Health.Deadline)})");
        }

        if (target.Verify is not null)
        {
            lines.Add($"verifies {target.Verify.Path} on each {target.Colour} instance" + (app.ProxyUrl is null ? "" : $", then through the proxy for {Spec.Duration.Format(target.Verify.Duration)}"));
        }

        lines.Add($"proxy ({app.Proxy.Plugin}): flips {live?.Colour ?? "nothing"} -> {target.Colour}");
        if (live is not null)
        {
            lines.Add(app.Spec.Standby.Keep
                ? $"{live.Colour}: kept as hot standby for an instant rollback"
                : $"{live.Colour}: drained for {Spec.Duration.Format(app.Spec.Standby.EffectiveDrainTimeout)}, then destroyed");
        }

        var masked = lines.Select(ctx.Mask.Apply).ToList();
        return new DeployResult(app.Id, DeployOutcome.Flipped, live?.Colour, target.Colour, app.Version, false, masked, [],
            ctx.Mask.Apply($"{app.Id}: would deploy version {app.Version ?? "unversioned"} to {target.Colour} and flip"));
    }
}
