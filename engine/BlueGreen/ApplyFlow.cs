using System.Diagnostics;
using Deploy.Engine.Apps;
using Deploy.Engine.Diagnostics;
using Deploy.Engine.Groups;
using Deploy.Engine.State;

namespace Deploy.Engine.BlueGreen;

/// <summary>
/// <c>deploy apply</c>: lock the app and its colour groups, observe, plan with <see cref="AppPlanner"/>, then run the
/// plan's steps in order. Every early exit has a typed <see cref="DeployOutcome"/>; a failure before the flip never
/// touches the live colour. The result and the history are taken from what is observed at the end, never from the request.
/// </summary>
public sealed class ApplyFlow(AppContext ctx, bool noFlip, AppRecord record)
{
    private readonly List<StepReport> _steps = [];
    private AppPlan? _plan;
    private Observation _seen = null!;
    private IReadOnlyList<MemberView> _members = [];

    /// <summary>Runs the deploy to its end or its first failure.</summary>
    public async Task<DeployResult> RunAsync(CancellationToken ct)
    {
        var app = ctx.App;
        using var held = await Step("lock", () => LockFile.AcquireAsync(ctx.Groups.State.LocksDirectory, "app-" + app.Id, "apply", ctx.Events, GroupLocks.Wait, ct), _ => $"app-{app.Id}");
        ctx.Records.Save(record);
        using var groups = await GroupLocks.AcquireAsync(ctx, "apply", ct);
        _seen = await Step("observe", () => ctx.ObserveAsync(ct), o => o.Live is null ? "no colour is live" : $"{o.Live} is live");
        var plan = _plan = ctx.Plan(_seen, noFlip);
        if (plan.IsNoop)
        {
            await Step("proxy in effect", () => ctx.EnsureInEffectAsync(_seen, ct), reapplied => reapplied ? "configuration applied again" : "serves what its configuration says");
            return await Finish(DeployOutcome.Noop, plan.Live, $"Noop: {plan.Live} already runs this configuration (version {{version}}); nothing to do", ct);
        }

        ctx.Events.Info($"plan: {string.Join("; ", plan.Steps.Select(s => s.Sentence))}");
        var target = app.Colour(plan.Target);
        var live = plan.Live is null ? null : app.Colour(plan.Live);
        var standby = live is null ? [] : _seen.Members[live.Colour];
        var env = HookRunner.Environment(app.Id, target.Colour, live?.Colour, app.Version, []);
        try
        {
            foreach (var step in plan.Steps)
            {
                switch (step.Kind)
                {
                    case AppStepKind.Prepare:
                        await Step($"prepare {target.Colour}", () => ctx.Preparation(target)!.PrepareAsync(AppContext.OwnerProperties(target), app.SecretValues, ct),
                            _ => ctx.DescribePreparation(target) ?? "ready");
                        break;
                    case AppStepKind.Isolate:
                        // No backup may point at instances about to be replaced.
                        await Step($"isolate {target.Colour}", () => ctx.RouteAsync(_seen.Live, _seen.Route!.ConfigHash, live is null ? [] : standby, [], ct), _ => "backups removed from the proxy");
                        break;
                    case AppStepKind.Converge:
                        await Step($"converge {target.Colour}", () => ConvergeAsync(target, ct), c => c);
                        _members = await ctx.Groups.MembersAsync(target.Group, ct);
                        env = HookRunner.Environment(app.Id, target.Colour, live?.Colour, app.Version, AppContext.Endpoints(_members));
                        break;
                    case AppStepKind.Health:
                        await Step($"health {target.Colour}", () => HealthAsync(target, ct), _ => $"{_members.Count} healthy");
                        break;
                    case AppStepKind.Verify:
                        await Step($"verify {target.Colour}", () => ctx.Checks.VerifyEachAsync(target.Colour, _members, target.Verify!, ct), _ => $"{_members.Count} verified");
                        break;
                    case AppStepKind.BeforeFlip:
                        if (await Step("before-flip hook", () => ctx.Hooks.RunAsync("BeforeFlip", target.Hooks.BeforeFlip, env, ct), f => f ?? "passed") is { } failure)
                        {
                            return await Finish(DeployOutcome.BeforeFlipFailed, live?.Colour, $"not flipped: {failure}; {LiveText(live)}", ct);
                        }

                        break;
                    case AppStepKind.Hold:
                        return await Finish(DeployOutcome.ReadyNotFlipped, live?.Colour,
                            $"{target.Colour} is ready (version {app.Version ?? "unversioned"}); not flipped: run 'deploy flip {app.Id} --to {target.Colour}'", ct);
                    case AppStepKind.Flip:
                        try
                        {
                            await Step("flip", () => ctx.FlipAsync(target.Colour, target.ConfigHash, _members, standby, standby, target.Verify, ct), _ => $"{live?.Colour ?? "nothing"} -> {target.Colour}");
                        }
                        catch (DeployException e) when (e.ExitCode == 1 && live is not null)
                        {
                            return await RollBackAsync(live, target, standby, e.Diagnostics[0].Message, env, ct);
                        }

                        break;
                    case AppStepKind.VerifyThroughProxy:
                        var broken = await Step("verify through proxy", () => ctx.Checks.VerifyThroughProxyAsync(app.ProxyUrl!, target.Verify!, ct),
                            f => f ?? $"{Spec.Duration.Format(target.Verify!.Duration)} of good responses");
                        if (broken is not null)
                        {
                            return await RollBackAsync(live, target, standby, broken, env, ct);
                        }

                        break;
                    case AppStepKind.AfterFlip:
                        await ctx.Hooks.RunOrWarnAsync("AfterFlip", target.Hooks.AfterFlip, env, ctx.Events, ct);
                        break;
                    case AppStepKind.Standby:
                        break; // the flip already wrote the old colour as the proxy's backups
                    case AppStepKind.Retire:
                        await Step($"retire {live!.Colour}", () => RetireAsync(live, target, ct), _ => "drained and destroyed");
                        break;
                }
            }

            var after = live is null ? "" : app.Spec.Standby.Keep ? $"; {live.Colour} on standby" : $"; {live.Colour} retired";
            return await Finish(DeployOutcome.Flipped, live?.Colour, $"{{live}} is live (version {{version}}){after}", ct);
        }
        catch (DeployException e) when (e.ExitCode == 1)
        {
            var why = string.Join("; ", e.Diagnostics.Select(d => d.Message));
            return await Finish(DeployOutcome.IdleFailed, live?.Colour, $"{target.Colour} failed: {why}; {LiveText(live)}", ct);
        }
    }

    private async Task<string> ConvergeAsync(ColourSpec target, CancellationToken ct)
    {
        ctx.Groups.Commit(target.Group, target.GroupJson);
        var change = await ctx.Groups.ConvergeAsync(target.Group, !_seen.Committed.Contains(target.Group.Id), announce: false, ct, target.Tags, target.ConfigHash, ctx.App.SecretValues);
        return change.Plan;
    }

    // Every member answers its health check. A task that exits while the wait runs is replaced by the orchestrator that
    // owns the group (its restart policy): the wait goes on with its replacements once the orchestrator is quiescent again.
    private async Task HealthAsync(ColourSpec target, CancellationToken ct)
    {
        Func<CancellationToken, Task<IReadOnlyList<MemberView>>>? replaced = target.Group.Properties.IsOrchestrated
            ? async c =>
            {
                await ctx.Groups.WaitQuiescentAsync(target.Group, target.ConfigHash, c);
                return await ctx.Groups.MembersAsync(target.Group, c);
            }
            : null;
        var wait = new HealthWait(ctx.Checks, ctx.PlatformHealth(target), ctx.LogTail(target),
            async c => (await ctx.Groups.MembersAsync(target.Group, c)).Select(m => m.Id).ToHashSet(), replaced);
        _members = await wait.WaitAsync(target.Colour, _members, target.Health, ctx.Events, ct);
    }

    // Back to the colour that was live, with the hash it was routed with: what it really runs, not the failed spec's.
    private async Task<DeployResult> RollBackAsync(ColourSpec? live, ColourSpec target, IReadOnlyList<MemberView> standby, string why,
        IReadOnlyDictionary<string, string> env, CancellationToken ct)
    {
        if (live is null)
        {
            return await Finish(DeployOutcome.RolledBack, null, $"{target.Colour} failed after the flip ({why}) and there is no previous colour to go back to", ct, target.Colour);
        }

        await Step("rollback", () => ctx.FlipAsync(live.Colour, _seen.Route?.ConfigHash, standby, [], _members, verify: null, ct), _ => $"{target.Colour} -> {live.Colour}");
        await ctx.Hooks.RunOrWarnAsync("OnRollback", target.Hooks.OnRollback, env, ctx.Events, ct);
        return await Finish(DeployOutcome.RolledBack, live.Colour, $"rolled back to {live.Colour}: {target.Colour} failed after the flip: {why}", ct, target.Colour);
    }

    private async Task RetireAsync(ColourSpec old, ColourSpec target, CancellationToken ct)
    {
        await ctx.RouteAsync(target.Colour, target.ConfigHash, _members, [], ct);
        await Task.Delay(ctx.App.Spec.Standby.EffectiveDrainTimeout, ct);
        ctx.Groups.State.Forget(old.Group.Id);
        await ctx.Groups.DestroyMembersAsync(old.Group, ct);
    }

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
            ctx.Events.StepFinished(name, clock.Elapsed, "failed: " + (e is DeployException d ? d.Diagnostics[0].Message : e.Message).Split('\n')[0]);
            throw;
        }

        var report = new StepReport(name, clock.Elapsed, ctx.Mask.Apply(describe(result)));
        _steps.Add(report);
        ctx.Events.StepFinished(report.Name, report.Duration, report.Detail);
        return result;
    }

    private Task Step(string name, Func<Task> action, Func<bool, string> describe) =>
        Step(name, async () => { await action(); return true; }, describe);

    // The result and the history entry say what is observed now: which colour the proxy routes to and what its
    // instances carry. {live} and {version} in the summary are filled from that observation.
    private async Task<DeployResult> Finish(DeployOutcome outcome, string? previous, string summary, CancellationToken ct, string? attempted = null)
    {
        var now = await ctx.ObserveAsync(ct);
        var version = now.Live is null ? null : now.VersionOf(now.Live);
        var hash = now.Route?.ConfigHash;
        var changed = outcome != DeployOutcome.Noop;
        ctx.Records.Append(ctx.App.Id, new HistoryEntry(DateTimeOffset.UtcNow, "apply", outcome.ToString(),
            outcome == DeployOutcome.RolledBack ? attempted : previous, now.Live, version, hash));
        var text = $"{ctx.App.Id}: " + summary.Replace("{live}", now.Live ?? "nothing").Replace("{version}", version ?? "unknown");
        return new DeployResult(ctx.App.Id, outcome, previous, now.Live, version, changed, _plan?.Lines ?? [], _steps, ctx.Mask.Apply(text))
        {
            Target = _plan?.Target,
        };
    }
}
