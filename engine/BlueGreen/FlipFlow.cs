using Deploy.Engine.Diagnostics;
using Deploy.Engine.Groups;
using Deploy.Engine.Planning;
using Deploy.Engine.State;

namespace Deploy.Engine.BlueGreen;

/// <summary>Manual flips and rollbacks, and the controller's re-render of the live colour's members.</summary>
public sealed class FlipFlow(AppContext ctx)
{
    /// <summary>Points the proxy at <paramref name="to"/> (default: the colour not live) once all its instances are healthy.</summary>
    public async Task<DeployResult> RunAsync(string command, string? to, CancellationToken ct)
    {
        var app = ctx.App;
        if (to is not null && app.Colours.All(c => c.Colour != to))
        {
            throw new DeployException(Errors.InvalidArgument, $"--to {to}: {app.Id} has the colours {string.Join(" and ", app.Colours.Select(c => c.Colour))}");
        }

        using var held = await LockFile.AcquireAsync(ctx.Groups.State.LocksDirectory, "app-" + app.Id, command, ctx.Events, GroupLocks.Wait, ct);
        using var groups = await GroupLocks.AcquireAsync(ctx, command, ct);
        var seen = await ctx.ObserveAsync(ct);
        var target = to is not null ? app.Colour(to) : seen.Live is null ? null : app.Other(seen.Live);
        if (target is null)
        {
            throw new DeployException(Errors.Refused, $"{app.Id}: no colour is live, so there is nothing to {command} from; run 'deploy apply' first");
        }

        if (target.Colour == seen.Live)
        {
            return new DeployResult(app.Id, DeployOutcome.Noop, seen.Live, seen.Live, seen.VersionOf(seen.Live), false, [], [], $"{app.Id}: {seen.Live} is already live") { Target = seen.Live };
        }

        var members = seen.Members[target.Colour];
        if (members.Count == 0)
        {
            throw new DeployException(Errors.Refused, command == "rollback"
                ? $"{app.Id}: there is no standby to roll back to ({target.Colour} has no instances)"
                : $"{app.Id}: {target.Colour} has no instances; deploy to it with 'deploy apply --no-flip' first");
        }

        var status = new StatusReader(ctx);
        foreach (var m in members)
        {
            if (await status.HealthAsync(target, m, ct) is var health && health != "healthy")
            {
                throw new DeployException(Errors.Refused, $"{app.Id}: refusing to {command} to {target.Colour}: instance {m.Id} is {health}");
            }
        }

        var hash = members[0].Tags.GetValueOrDefault(GroupPlanner.HashTag);
        var backups = seen.Live is null ? [] : seen.Members[seen.Live];
        try
        {
            await ctx.FlipAsync(target.Colour, hash, members, backups, backups, verify: null, ct);
        }
        catch (DeployException e) when (e.ExitCode == 1 && seen.Live is not null && seen.Route is not null)
        {
            // Not seen in effect: put back what was live, as it was, rather than leave a route nobody verified.
            await ctx.RouteAsync(seen.Live, seen.Route.ConfigHash, seen.Members[seen.Live], seen.Route.Backups.Count == 0 ? [] : members, ct);
            throw new DeployException(Errors.PluginFailed, $"{e.Diagnostics[0].Message}; {seen.Live} is live again");
        }

        var version = seen.VersionOf(target.Colour);
        if (command == "rollback")
        {
            var env = HookRunner.Environment(app.Id, target.Colour, seen.Live, version, AppContext.Endpoints(members));
            await ctx.Hooks.RunOrWarnAsync("OnRollback", target.Hooks.OnRollback, env, ctx.Events, ct);
        }

        ctx.Records.Append(app.Id, new HistoryEntry(DateTimeOffset.UtcNow, command, DeployOutcome.Flipped.ToString(), seen.Live, target.Colour, version, hash));
        var standby = seen.Live is null ? "" : $"; {seen.Live} on standby";
        return new DeployResult(app.Id, DeployOutcome.Flipped, seen.Live, target.Colour, version, true, [], [],
            $"{app.Id}: {target.Colour} is live (version {version ?? "unknown"}){standby}") { Target = target.Colour };
    }

    /// <summary>Re-renders the live colour's current healthy members when they differ from what the proxy routes to.</summary>
    public async Task ResyncAsync(CancellationToken ct)
    {
        var seen = await ctx.ObserveAsync(ct);
        if (seen.Live is null || seen.Route is null)
        {
            return;
        }

        var live = ctx.App.Colour(seen.Live);
        var status = new StatusReader(ctx);
        var healthy = new List<MemberView>();
        foreach (var m in seen.Members[seen.Live])
        {
            if (await status.HealthAsync(live, m, ct) == "healthy")
            {
                healthy.Add(m);
            }
        }

        var servers = AppContext.Endpoints(healthy);
        if (healthy.Count == 0 || servers.Order().SequenceEqual(seen.Route.Servers.Order()))
        {
            return;
        }

        var standby = seen.Members[ctx.App.Other(seen.Live).Colour];
        var backups = seen.Route.Backups.Count == 0 ? [] : standby;
        await ctx.RouteAsync(seen.Live, seen.Route.ConfigHash, healthy, backups, ct);
        ctx.Events.Info($"{ctx.App.Id}: proxy re-rendered with {healthy.Count} healthy {seen.Live} instances");
    }
}
