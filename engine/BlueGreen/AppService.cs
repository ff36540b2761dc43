using Deploy.Engine.Apps;
using Deploy.Engine.Diagnostics;
using Deploy.Engine.Events;
using Deploy.Engine.Groups;
using Deploy.Engine.Plugins;
using Deploy.Engine.Plugins.Proxy.Container;
using Deploy.Engine.State;
using Deploy.Engine.State.Target;
using Deploy.Engine.Docker;

namespace Deploy.Engine.BlueGreen;

/// <summary>
/// The blue/green commands every face calls: plan, apply, status, flip, rollback, ls, destroy, and the controller's
/// proxy sync. Each resolves the app, re-observes the proxy and the instances, and returns a result to render. This is
/// the boundary: every event, error and result of a command passes the mask of its app's secrets, and an unexpected
/// failure becomes DEPLOY3001 saying what was being done.
/// </summary>
public sealed class AppService(EngineOptions options, PluginRegistry plugins)
{
    private readonly GroupService _groups = new(options, plugins);
    private readonly AppRecords _records = new(options.StateDirectory);
    private readonly DockerEngines _docker = new();

    /// <summary>The service with the built-in plugins: what every face calls.</summary>
    public static AppService Create(EngineOptions options) =>
        new(options, PluginCatalog.Create(new PluginContext(options.StateDirectory,
            options.FileDirectory ?? PluginContext.DefaultFileDirectory(options.StateDirectory), options.Events) { Environment = options.Environment }));

    /// <summary>The group service the colours are converged with (events unmasked: for group commands and tests).</summary>
    public GroupService Groups => _groups;

    /// <summary>The dry run: the <see cref="AppPlan"/> apply would execute, rendered. Changes nothing.</summary>
    public Task<DeployResult> PlanAsync(AppRequest request, CancellationToken ct) =>
        Boundary(request, "planning", requireSecrets: true, Access.Read, ctx => new PlanFlow(ctx).RunAsync(request.NoFlip, ct));

    /// <summary>Deploys to the idle colour and flips to it; see <see cref="ApplyFlow"/>.</summary>
    public Task<DeployResult> ApplyAsync(AppRequest request, CancellationToken ct) =>
        Boundary(request, "applying", requireSecrets: true, Access.Change, async ctx =>
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(request.Timeout);
            try
            {
                var record = new AppRecord(ctx.App.Id, Path.GetFullPath(ctx.App.File), request.Vars.Where(v => !ctx.App.Spec.Secrets.Contains(v.Key)).ToDictionary());
                return await new ApplyFlow(ctx, request.NoFlip, record).RunAsync(timeout.Token);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested && !ct.IsCancellationRequested)
            {
                throw new DeployException(Errors.OperationFailed,
                    $"apply did not finish within {Spec.Duration.Format(request.Timeout)}; what was live stays live: run it again to converge");
            }
        });

    /// <summary>Live and standby colours, versions, hashes, each instance with endpoint and health, last deploys.</summary>
    public Task<AppStatus> StatusAsync(AppRequest request, CancellationToken ct) =>
        Boundary(request, "reading the status", requireSecrets: false, Access.Read, ctx => new StatusReader(ctx).ReadAsync(ct));

    /// <summary>The end of each instance's log (of <see cref="AppRequest.To"/>'s colour, or both), masked.</summary>
    public Task<IReadOnlyList<InstanceLog>> LogsAsync(AppRequest request, int lines, CancellationToken ct) =>
        Boundary(request, "reading the logs", requireSecrets: false, Access.Read, ctx => new StatusReader(ctx).LogsAsync(request.To, lines, ct));

    /// <summary>Promotes a colour (default: the one not live), refusing one whose instances are not all healthy.</summary>
    public Task<DeployResult> FlipAsync(AppRequest request, CancellationToken ct) =>
        Boundary(request, "flipping", requireSecrets: false, Access.Change, ctx => new FlipFlow(ctx).RunAsync("flip", request.To, ct));

    /// <summary>Flips back to the healthy standby at once; refuses when there is none.</summary>
    public Task<DeployResult> RollbackAsync(AppRequest request, CancellationToken ct) =>
        Boundary(request, "rolling back", requireSecrets: false, Access.Change, ctx => new FlipFlow(ctx).RunAsync("rollback", null, ct));

    /// <summary>Every app applied from this state folder, with its live colour and version.</summary>
    public async Task<IReadOnlyList<AppSummary>> ListAsync(CancellationToken ct)
    {
        var list = new List<AppSummary>();
        foreach (var record in _records.All())
        {
            var seen = await Boundary(new AppRequest(record.App), $"reading {record.App}", requireSecrets: false, Access.Read, ctx => ctx.ObserveAsync(ct));
            list.Add(new AppSummary(record.App, seen.Live, seen.Live is null ? null : seen.VersionOf(seen.Live), record.SpecFile));
        }

        return list;
    }

    /// <summary>Destroys both colours and forgets the app; refuses without <see cref="AppRequest.Yes"/>.</summary>
    public Task DestroyAsync(AppRequest request, CancellationToken ct) =>
        Boundary(request, "destroying", requireSecrets: false, Access.Forget, async ctx =>
        {
            if (!request.Yes)
            {
                throw new DeployException(Errors.Refused,
                    $"destroying {ctx.App.Id} leaves its proxy with nothing to route to; add --yes to confirm");
            }

            using var held = await LockFile.AcquireAsync(_groups.State.LocksDirectory, "app-" + ctx.App.Id, "destroy", ctx.Events, GroupLocks.Wait, ct);
            using var groups = await GroupLocks.AcquireAsync(ctx, "destroy", ct);
            await ctx.RouteAsync(null, null, [], [], ct);
            foreach (var colour in ctx.App.Colours)
            {
                ctx.Groups.State.Forget(colour.Group.Id);
                await ctx.Groups.DestroyMembersAsync(colour.Group, ct);
            }

            _records.Forget(ctx.App.Id);
            return true;
        });

    /// <summary>
    /// <c>deploy proxy boot</c>: starts the app's proxy container when it is missing (created from the proxy's
    /// <c>Boot</c> properties) or stopped; a running one is left as it is. Holds the app's lock, so no flip writes the
    /// proxy's file meanwhile.
    /// </summary>
    public Task<BootResult> BootProxyAsync(AppRequest request, CancellationToken ct) =>
        Boundary(request, "booting the proxy of", requireSecrets: false, Access.Change, async ctx =>
        {
            if (ctx.Proxy is not IBootsProxy proxy)
            {
                throw new DeployException(Errors.Refused,
                    $"{ctx.App.Proxy.Plugin} has no container to boot; 'deploy proxy boot' starts the container of proxy-nginx or proxy-haproxy with Container and Boot in their properties");
            }

            using var held = await LockFile.AcquireAsync(_groups.State.LocksDirectory, "app-" + ctx.App.Id, "proxy boot", ctx.Events, GroupLocks.Wait, ct);
            return await proxy.BootAsync(ctx.App.ProxyTarget, ctx.App.Id, ct);
        });

    /// <summary>
    /// The controller's pass over apps: where the live colour's members changed (an instance was replaced), re-render
    /// the proxy with its current healthy members. Never a flip; apps being deployed are skipped. A failing app is
    /// reported as a warning and never stops the pass.
    /// </summary>
    public async Task SyncProxiesAsync(CancellationToken ct)
    {
        foreach (var record in _records.All())
        {
            // One app's failure (a proxy that cannot be read, a lock race) never stops the controller.
            await ControllerPass.TryAsync<object>(options.Events, $"re-rendering the proxy of {record.App}", async () =>
            {
                using var held = LockFile.TryAcquire(_groups.State.LocksDirectory, "app-" + record.App, LockFile.ControllerCommand, options.Events, out _);
                if (held is not null)
                {
                    try
                    {
                        await Boundary(new AppRequest(record.App), $"re-rendering the proxy of {record.App}", requireSecrets: false, Access.Change, async ctx =>
                        {
                            await new FlipFlow(ctx).ResyncAsync(ct);
                            return true;
                        });
                    }
                    catch (DeployException e) when (e.ExitCode == 3)
                    {
                        // A deploy from another machine holds the app's lease on its target: that deploy owns it now.
                    }
                }

                return null;
            }, ct);
        }
    }

    // Opens the app, runs the command, and masks whatever comes out: the boundary every command passes.
    // For an app whose target is a Docker engine, its state lives there (see ITargetState): a command that changes
    // something holds the app's lease on the target, works on a copy pulled from it, and sends the copy back after,
    // whatever the outcome; a read pulls only.
    private async Task<T> Boundary<T>(AppRequest request, string doing, bool requireSecrets, Access access, Func<AppContext, Task<T>> body)
    {
        using var ctx = Open(request, requireSecrets);
        try
        {
            var target = TargetOf(ctx);
            if (target is null)
            {
                return await body(ctx);
            }

            var app = ctx.App.Id;
            var groups = ctx.App.Colours.Select(c => c.Group.Id).ToList();
            await using var lease = access != Access.Read ? await target.LeaseAsync(app, doing, CancellationToken.None) : null;
            await target.PullAsync(app, groups, options.StateDirectory, CancellationToken.None);
            var done = false;
            try
            {
                var result = await body(ctx);
                done = true;
                return result;
            }
            finally
            {
                if (access == Access.Forget && done)
                {
                    await target.ForgetAsync(app, CancellationToken.None);
                }
                else if (access != Access.Read)
                {
                    await target.PushAsync(app, groups, options.StateDirectory, CancellationToken.None);
                }
            }
        }
        catch (DeployException e)
        {
            throw new DeployException(e.Diagnostics.Select(ctx.Mask.Apply).ToList()) { Details = e.Details is null ? null : ctx.Mask.Apply(e.Details) };
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw DeployException.Unexpected($"{doing} {ctx.App.Id}", ctx.Mask.Apply(e.Message.Split('\n')[0]), ctx.Mask.Apply(e.ToString()));
        }
    }

    private ITargetState? TargetOf(AppContext ctx) =>
        TargetLocator.DockerHostOf(ctx.App, options.Environment) is { } host
            ? new DockerTargetState(_docker, host, ctx.Events, LeaseLength())
            : null;

    // DEPLOY_LEASE shortens or lengthens how long a killed run's lock lasts on a target (default 60s).
    private TimeSpan? LeaseLength()
    {
        if (options.Environment("DEPLOY_LEASE") is not { Length: > 0 } text)
        {
            return null;
        }

        return Spec.Duration.TryParse(text, out var lease) && lease >= TimeSpan.FromSeconds(1) ? lease
            : throw new DeployException(Errors.InvalidArgument, $"DEPLOY_LEASE=\"{text}\" is not a duration of at least 1s; write e.g. 60s or 5m");
    }

    private enum Access
    {
        /// <summary>Reads the target's state; takes no lease.</summary>
        Read,

        /// <summary>Holds the lease and sends the state back after, whatever the outcome.</summary>
        Change,

        /// <summary>As Change, but a success removes what the target keeps for the app (destroy).</summary>
        Forget,
    }

    private AppContext Open(AppRequest request, bool requireSecrets)
    {
        StateFormat.EnsureReadable(options.StateDirectory);
        var (file, vars) = Locate(request, reuseRecordedVars: !requireSecrets);
        var app = AppResolver.Load(file, vars, options.Environment, plugins, options.StateDirectory, requireSecrets, request.Vars.Keys.Where(k => !request.OptionalVars.Contains(k)));
        var mask = new SecretMask(app.SecretValues);
        var events = mask.Wrap(options.Events);
        var groups = new GroupService(options with { Events = events }, plugins);
        return new AppContext(app, groups, events, _records, mask);
    }

    // A path to a spec, or the name of an app whose spec path apply recorded in the state folder. Commands that act on
    // what was deployed (status, flip, rollback, destroy) reuse the last apply's vars for a path too, so a spec using
    // {{var.publish_dir}} resolves without them; plan and apply take only the vars they are given.
    private (string File, IReadOnlyDictionary<string, string> Vars) Locate(AppRequest request, bool reuseRecordedVars)
    {
        if (File.Exists(request.Target) || request.Target.EndsWith(".json", StringComparison.OrdinalIgnoreCase) || request.Target.Contains('/'))
        {
            var full = Path.GetFullPath(request.Target);
            var recorded = reuseRecordedVars ? _records.All().FirstOrDefault(r => r.SpecFile == full) : null;
            return (request.Target, Merge(recorded?.Vars, request.Vars));
        }

        var record = _records.Find(request.Target) ?? throw new DeployException(Errors.UnknownName,
            $"no app \"{request.Target}\" was applied from state {options.StateDirectory}; pass the spec file instead, or one of: " +
            (_records.All() is { Count: > 0 } all ? string.Join(", ", all.Select(a => a.App)) : "none"));
        return (record.SpecFile, Merge(record.Vars, request.Vars));
    }

    private static Dictionary<string, string> Merge(IReadOnlyDictionary<string, string>? recorded, IReadOnlyDictionary<string, string> given)
    {
        var vars = new Dictionary<string, string>(recorded ?? new Dictionary<string, string>());
        foreach (var (k, v) in given)
        {
            vars[k] = v;
        }

        return vars;
    }
}
