using Deploy.Engine.Apps;
using Deploy.Engine.Diagnostics;
using Deploy.Engine.Events;
using Deploy.Engine.Groups;
using Deploy.Engine.Plugins;
using Deploy.Engine.State;

namespace Deploy.Engine.BlueGreen;

/// <summary>
/// The blue/green commands every face calls: plan, apply, status, flip, rollback, ls, destroy, and the controller's
/// proxy sync. Each resolves the app, re-observes the proxy and the instances, and returns a result to render.
/// </summary>
public sealed class AppService(EngineOptions options, PluginRegistry plugins)
{
    private readonly GroupService _groups = new(options, plugins);
    private readonly AppRecords _records = new(options.StateDirectory);

    /// <summary>The service with the built-in plugins: what every face calls.</summary>
    public static AppService Create(EngineOptions options) =>
        new(options, PluginCatalog.Create(new PluginContext(options.StateDirectory,
            options.FileDirectory ?? PluginContext.DefaultFileDirectory(options.StateDirectory), options.Events)));

    /// <summary>The group service the colours are converged with.</summary>
    public GroupService Groups => _groups;

    /// <summary>The dry run: what apply would do. Changes nothing.</summary>
    public async Task<DeployResult> PlanAsync(AppRequest request, CancellationToken ct)
    {
        using var ctx = Open(request, requireSecrets: true);
        return await new PlanFlow(ctx).RunAsync(ct);
    }

    /// <summary>Deploys to the idle colour and flips to it; see <see cref="ApplyFlow"/>.</summary>
    public async Task<DeployResult> ApplyAsync(AppRequest request, CancellationToken ct)
    {
        using var ctx = Open(request, requireSecrets: true);
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
        catch (DeployException e)
        {
            throw new DeployException(e.Diagnostics.Select(ctx.Mask.Apply).ToList());
        }
    }

    /// <summary>Live and standby colours, versions, hashes, each instance with endpoint and health, last deploys.</summary>
    public async Task<AppStatus> StatusAsync(AppRequest request, CancellationToken ct)
    {
        using var ctx = Open(request, requireSecrets: false);
        return await new StatusReader(ctx).ReadAsync(ct);
    }

    /// <summary>Promotes a colour (default: the one not live), refusing one whose instances are not all healthy.</summary>
    public async Task<DeployResult> FlipAsync(AppRequest request, CancellationToken ct)
    {
        using var ctx = Open(request, requireSecrets: false);
        return await new FlipFlow(ctx).RunAsync("flip", request.To, ct);
    }

    /// <summary>Flips back to the healthy standby at once; refuses when there is none.</summary>
    public async Task<DeployResult> RollbackAsync(AppRequest request, CancellationToken ct)
    {
        using var ctx = Open(request, requireSecrets: false);
        return await new FlipFlow(ctx).RunAsync("rollback", null, ct);
    }

    /// <summary>Every app applied from this state folder, with its live colour and version.</summary>
    public async Task<IReadOnlyList<AppSummary>> ListAsync(CancellationToken ct)
    {
        var list = new List<AppSummary>();
        foreach (var record in _records.All())
        {
            using var ctx = Open(new AppRequest(record.App), requireSecrets: false);
            var seen = await ctx.ObserveAsync(ct);
            list.Add(new AppSummary(record.App, seen.Live, seen.Live is null ? null : ApplyFlow.VersionOf(seen, seen.Live), record.SpecFile));
        }

        return list;
    }

    /// <summary>Destroys both colours and forgets the app; refuses without <see cref="AppRequest.Yes"/>.</summary>
    public async Task DestroyAsync(AppRequest request, CancellationToken ct)
    {
        using var ctx = Open(request, requireSecrets: false);
        if (!request.Yes)
        {
            throw new DeployException(Errors.Refused,
                $"destroying {ctx.App.Id} leaves its proxy with nothing to route to; add --yes to confirm");
        }

        using var held = await LockFile.AcquireAsync(_groups.State.LocksDirectory, "app-" + ctx.App.Id, "destroy", options.Events, TimeSpan.FromMinutes(2), ct);
        await ctx.RouteAsync(null, null, [], [], ct);
        foreach (var colour in ctx.App.Colours)
        {
            using var group = await _groups.LockAsync(colour.Group.Id, "destroy", TimeSpan.FromMinutes(2), ct);
            _groups.State.Forget(colour.Group.Id);
            await _groups.DestroyMembersAsync(colour.Group, ct);
        }

        _records.Forget(ctx.App.Id);
    }

    /// <summary>
    /// The controller's pass over apps: where the live colour's members changed (an instance was replaced), re-render
    /// the proxy with its current healthy members. Never a flip; apps being deployed are skipped.
    /// </summary>
    public async Task SyncProxiesAsync(CancellationToken ct)
    {
        foreach (var record in _records.All())
        {
            try
            {
                using var held = LockFile.TryAcquire(_groups.State.LocksDirectory, "app-" + record.App, LockFile.ControllerCommand, options.Events, out _);
                if (held is null)
                {
                    continue;
                }

                using var ctx = Open(new AppRequest(record.App), requireSecrets: false);
                await new FlipFlow(ctx).ResyncAsync(ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                throw;
            }
            catch (DeployException e)
            {
                foreach (var d in e.Diagnostics)
                {
                    options.Events.Warn(d with { Code = Errors.OperationFailed with { Severity = Severity.Warning } });
                }
            }
            catch (Exception e)
            {
                // One app's failure (a proxy that cannot be read, a lock race) never stops the controller.
                options.Events.Warn(new Diagnostic(Errors.OperationFailed with { Severity = Severity.Warning },
                    $"re-syncing the proxy of app {record.App} failed ({e.GetType().Name}: {e.Message}); it is tried again next pass"));
            }
        }
    }

    private AppContext Open(AppRequest request, bool requireSecrets)
    {
        var (file, vars) = Locate(request, reuseRecordedVars: !requireSecrets);
        var app = AppResolver.Load(file, vars, options.Environment, plugins, options.StateDirectory, requireSecrets);
        var mask = new SecretMask(app.SecretValues);
        return new AppContext(app, _groups, mask.Wrap(options.Events), _records);
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
