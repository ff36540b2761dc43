using System.Diagnostics;
using Deploy.Engine.Apps;
using Deploy.Engine.Diagnostics;
using Deploy.Engine.Planning;
using Deploy.Engine.State;

namespace Deploy.Engine.BlueGreen;

/// <summary>
/// <c>deploy apply</c> as one straight line of idempotent steps: lock, observe, noop check, converge the idle colour,
/// wait for health, verify, BeforeFlip, flip, verify through the proxy (flip back on failure), standby, record.
/// Every early exit has a typed <see cref="DeployOutcome"/>; a failure before the flip never touches the live colour.
/// </summary>
public sealed class ApplyFlow(AppContext ctx, bool noFlip, AppRecord record)
{
    private readonly List<StepReport> _steps = [];
    private readonly List<string> _plan = [];

    /// <summary>Runs the deploy to its end or its first failure.</summary>
    public async Task<DeployResult> RunAsync(CancellationToken ct)
    {
        var app = ctx.App;
        using var held = await Step("lock", () => LockFile.AcquireAsync(ctx.Groups.State.LocksDirectory, "app-" + app.Id, "apply", ctx.Events, LockWait, ct), _ => $"app-{app.Id}");
        ctx.Records.Save(record);
        var seen = await Step("observe", () => ctx.ObserveAsync(ct), o => o.Live is null ? "no colour is live" : $"{o.Live} is live");
        var live = seen.Live is null ? null : app.Colour(seen.Live);
        var target = live is null ? app.First : app.Other(live.Colour);

        if (live is not null && IsRunning(live, seen))
        {
            _plan.Add("Noop");
            return Result(DeployOutcome.Noop, live.Colour, live.Colour, false,
                $"{app.Id}: Noop: {live.Colour} already runs this configuration (version {VersionOf(seen, live.Colour) ?? "unknown"}); nothing to do");
        }

        var plan = await ctx.Groups.PlanAsync(target.Group, ctx.Groups.State.CommittedJson(target.Group.Id) is null, ct, target.ConfigHash);
        _plan.Add($"{target.Group.Id} : {plan.Description}");
        ctx.Events.Info($"plan: {target.Group.Id} : {plan.Description}; then flip {live?.Colour ?? "nothing"} -> {target.Colour}");
        if (seen.Route is { Backups.Count: > 0 } route)
        {
            // No backup may point at instances about to be replaced.
            await Step($"isolate {target.Colour}", () => ctx.RouteAsync(live?.Colour, route.ConfigHash, seen.Members[live?.Colour ?? target.Colour], [], ct), _ => "backups removed from the proxy");
        }

        try
        {
            await Step($"converge {target.Colour}", () => ConvergeAsync(target, ct), c => c);
            var members = await ctx.Groups.MembersAsync(target.Group, ct);
            if (target.Health is { } health)
            {
                await Step($"health {target.Colour}", () => ctx.Checks.WaitHealthyAsync(target.Colour, members, health, ctx.Events, ct), _ => $"{members.Count} healthy");
            }

            if (target.Verify is { } verify)
            {
                await Step($"verify {target.Colour}", () => ctx.Checks.VerifyEachAsync(target.Colour, members, verify, ct), _ => $"{members.Count} verified");
            }

            var env = HookRunner.Environment(app.Id, target.Colour, live?.Colour, app.Version, AppContext.Endpoints(members));
            if (target.Hooks.BeforeFlip.Count > 0 && await Step("before-flip hook", () => ctx.Hooks.RunAsync("BeforeFlip", target.Hooks.BeforeFlip, env, ct), f => f ?? "passed") is { } failure)
            {
                return Result(DeployOutcome.BeforeFlipFailed, live?.Colour, live?.Colour, true, $"{app.Id}: not flipped: {failure}; {LiveText(live)}");
            }

            if (noFlip)
            {
                return Result(DeployOutcome.ReadyNotFlipped, live?.Colour, live?.Colour, true,
                    $"{app.Id}: {target.Colour} is ready (version {app.Version ?? "unversioned"}); not flipped: run 'deploy flip {app.Id} --to {target.Colour}'");
            }

            var standby = live is null ? [] : seen.Members[live.Colour];
            await Step("flip", () => ctx.RouteAsync(target.Colour, target.ConfigHash, members, standby, ct), _ => $"{live?.Colour ?? "nothing"} -> {target.Colour}");
            if (target.Verify is { } check && app.ProxyUrl is { } url)
            {
                var broken = await Step("verify through proxy", () => ctx.Checks.VerifyThroughProxyAsync(url, check, ct), f => f ?? $"{Spec.Duration.Format(check.Duration)} of good responses");
                if (broken is not null)
                {
                    return await RollBackAsync(live, target, standby, members, broken, env, ct);
                }
            }

            await ctx.Hooks.RunOrWarnAsync("AfterFlip", target.Hooks.AfterFlip, env, ctx.Events, ct);
            if (live is not null && !app.Spec.Standby.Keep)
            {
                await Step($"retire {live.Colour}", () => RetireAsync(live, target, members, ct), _ => "drained and destroyed");
            }

            var standbyText = live is null ? "" : app.Spec.Standby.Keep ? $"; {live.Colour} on standby" : $"; {live.Colour} retired";
            return Result(DeployOutcome.Flipped, live?.Colour, target.Colour, true, $"{app.Id}: {target.Colour} is live (version {app.Version ?? "unversioned"}){standbyText}");
        }
        catch (DeployException e) when (e.ExitCode == 1)
        {
            var why = string.Join("; ", e.Diagnostics.Select(d => d.Message));
            return Result(DeployOutcome.IdleFailed, live?.Colour, live?.Colour, true, $"{app.Id}: {target.Colour} failed: {why}; {LiveText(live)}");
        }
    }

    // Whoever converges a group holds its lock (the app lock is already held: app before group, see LockFile).
    // The controller may hold either for a moment (one pass), so apply waits for it; another command's hold refuses.
    private static readonly TimeSpan LockWait = TimeSpan.FromMinutes(2);

    private async Task<string> ConvergeAsync(ColourSpec target, CancellationToken ct)
    {
        using var group = await ctx.Groups.LockAsync(target.Group.Id, "apply", LockWait, ct);
        var isNew = ctx.Groups.State.CommittedJson(target.Group.Id) is null;
        ctx.Groups.State.Commit(target.Group.Id, target.GroupJson);
        var change = await ctx.Groups.ConvergeAsync(target.Group, isNew, announce: false, ct, target.Tags, target.ConfigHash, ctx.App.SecretValues);
        return change.Plan;
    }

    private async Task<DeployResult> RollBackAsync(ColourSpec? live, ColourSpec target, IReadOnlyList<Groups.MemberView> standby, IReadOnlyList<Groups.MemberView> failed,
        string why, IReadOnlyDictionary<string, string> env, CancellationToken ct)
    {
        if (live is null)
        {
            return Result(DeployOutcome.RolledBack, null, target.Colour, true, $"{ctx.App.Id}: {target.Colour} failed after the flip ({why}) and there is no previous colour to go back to");
        }

        await Step("rollback", () => ctx.RouteAsync(live.Colour, live.ConfigHash, standby, [], ct), _ => $"{target.Colour} -> {live.Colour}");
        await ctx.Hooks.RunOrWarnAsync("OnRollback", target.Hooks.OnRollback, env, ctx.Events, ct);
        return Result(DeployOutcome.RolledBack, live.Colour, live.Colour, true, $"{ctx.App.Id}: rolled back to {live.Colour}: {target.Colour} failed after the flip: {why}");
    }

    private async Task RetireAsync(ColourSpec old, ColourSpec target, IReadOnlyList<Groups.MemberView> members, CancellationToken ct)
    {
        await ctx.RouteAsync(target.Colour, target.ConfigHash, members, [], ct);
        await Task.Delay(ctx.App.Spec.Standby.EffectiveDrainTimeout, ct);
        using var group = await ctx.Groups.LockAsync(old.Group.Id, "apply", LockWait, ct);
        ctx.Groups.State.Forget(old.Group.Id);
        await ctx.Groups.DestroyMembersAsync(old.Group, ct);
    }

    // The live colour runs this configuration when the proxy and every instance carry its hash and the group is complete.
    internal static bool IsRunning(ColourSpec live, Observation seen) =>
        seen.Route?.ConfigHash == live.ConfigHash &&
        seen.Members[live.Colour].Count == live.Group.Properties.Allocation.DesiredCount &&
        seen.Members[live.Colour].All(m => m.Tags.GetValueOrDefault(GroupPlanner.HashTag) == live.ConfigHash);

    internal static string? VersionOf(Observation seen, string colour) =>
        seen.Members[colour].Select(m => m.Tags.GetValueOrDefault("deploy.version")).FirstOrDefault(v => !string.IsNullOrEmpty(v));

    private static string LiveText(ColourSpec? live) => live is null ? "nothing was live" : $"{live.Colour} is still live";

    private async Task<T> Step<T>(string name, Func<Task<T>> action, Func<T, string> describe)
    {
        ctx.Events.StepStarted(name);
        var clock = Stopwatch.StartNew();
        T result;
        try
        {
            result = await action();
        }
        catch (Exception e)
        {
            ctx.Events.StepFinished(name, clock.Elapsed, "failed: " + ctx.Mask.Apply(e.Message.Split('\n')[0]));
            throw;
        }

        var report = new StepReport(name, clock.Elapsed, ctx.Mask.Apply(describe(result)));
        _steps.Add(report);
        ctx.Events.StepFinished(report.Name, report.Duration, report.Detail);
        return result;
    }

    private Task Step(string name, Func<Task> action, Func<bool, string> describe) =>
        Step(name, async () => { await action(); return true; }, describe);

    private DeployResult Result(DeployOutcome outcome, string? previous, string? live, bool changed, string summary)
    {
        ctx.Records.Append(ctx.App.Id, new HistoryEntry(DateTimeOffset.UtcNow, "apply", outcome.ToString(), previous, live, ctx.App.Version,
            live is null ? null : ctx.App.Colour(live).ConfigHash));
        return new DeployResult(ctx.App.Id, outcome, previous, live, ctx.App.Version, changed, _plan, _steps, ctx.Mask.Apply(summary));
    }
}
