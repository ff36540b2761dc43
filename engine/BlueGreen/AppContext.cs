using Deploy.Engine.Apps;
using Deploy.Engine.Events;
using Deploy.Engine.Groups;
using Deploy.Engine.Planning;
using Deploy.Engine.Plugins.Instance;
using Deploy.Engine.Plugins.Proxy;

namespace Deploy.Engine.BlueGreen;

/// <summary>
/// Everything one command on one app works with: the resolved spec, its proxy, the groups, the checks. Events and the
/// group service it holds are already masked with the app's secrets: nothing reported through them can leak one.
/// </summary>
public sealed class AppContext(ResolvedApp app, GroupService groups, IDeployEvents events, AppRecords records, SecretMask mask) : IDisposable
{
    public ResolvedApp App { get; } = app;

    public GroupService Groups { get; } = groups;

    public IDeployEvents Events { get; } = events;

    public AppRecords Records { get; } = records;

    public SecretMask Mask { get; } = mask;

    public IProxyPlugin Proxy { get; } = groups.Plugins.Proxy(app.Proxy.Plugin);

    private readonly Probes.LocalHttpProbe _local = new();

    /// <summary>The HTTP checks, made from where the instances can be reached (see <see cref="Plugins.IProbesFromProxy"/>).</summary>
    public HttpChecks Checks => _checks ??= new HttpChecks(
        Proxy is Plugins.IProbesFromProxy remote && remote.Probe(App.ProxyTarget) is { } probe ? probe : _local);

    private HttpChecks? _checks;

    /// <summary>
    /// The plugin that owns <paramref name="colour"/>'s instances (its orchestrator, else its instance plugin): its
    /// optional abilities (preparation, platform health, logs, details) are the ones that apply to them.
    /// </summary>
    public object OwnerPlugin(Apps.ColourSpec colour) => Groups.Owner(colour.Group, new Dictionary<string, string>()).Plugin;

    /// <summary>The properties <paramref name="colour"/>'s owning plugin is given.</summary>
    public static System.Text.Json.JsonElement? OwnerProperties(Apps.ColourSpec colour) => colour.Group.Properties.Owner.Properties;

    /// <summary>The plugin of <paramref name="colour"/> when it prepares before provisioning (pulls an image); else null.</summary>
    public Plugins.IPreparesInstances? Preparation(Apps.ColourSpec colour) => OwnerPlugin(colour) as Plugins.IPreparesInstances;

    /// <summary>The plan sentence of <paramref name="colour"/>'s preparation; null when its plugin prepares nothing.</summary>
    public string? DescribePreparation(Apps.ColourSpec colour) => Preparation(colour)?.DescribePreparation(OwnerProperties(colour));

    /// <summary>The platform's own health of <paramref name="colour"/>'s instances (a container's HEALTHCHECK); null when its plugin has none.</summary>
    public Plugins.IInstanceHealth? PlatformHealth(Apps.ColourSpec colour) => OwnerPlugin(colour) as Plugins.IInstanceHealth;

    /// <summary>The plan of a deploy onto <paramref name="seen"/>: the one object <c>plan</c> renders and <c>apply</c> runs.</summary>
    public AppPlan Plan(Observation seen, bool noFlip) =>
        AppPlanner.Plan(App, seen, noFlip, c => PlatformHealth(c) is not null, DescribePreparation,
            c => OwnerPlugin(c) is Plugins.Group.IGroupPlugin group ? group.Describe(OwnerProperties(c)) : null);

    public HookRunner Hooks => new(App.BaseDirectory, Mask, Events);

    /// <summary>The last lines of an instance's log in <paramref name="colour"/>, masked; null when its plugin keeps no logs.</summary>
    public Func<string, CancellationToken, Task<string?>>? LogTail(Apps.ColourSpec colour) =>
        OwnerPlugin(colour) is Plugins.IInstanceLogs logs
            ? async (id, ct) => await logs.LogTailAsync(id, 10, ct) is { } tail ? Mask.Apply(tail) : null
            : null;

    /// <summary>
    /// Re-reads the truth: the proxy's route and every instance of each colour, by tags, or as its orchestrator reports
    /// the group (read once: its running tasks are the instances).
    /// </summary>
    public async Task<Observation> ObserveAsync(CancellationToken cancellationToken)
    {
        var route = await Proxy.CurrentAsync(App.ProxyTarget, cancellationToken);
        var instances = new Dictionary<string, IReadOnlyList<InstanceDescription>>(StringComparer.Ordinal);
        var orchestrated = new Dictionary<string, Plugins.Group.OrchestratedGroup?>(StringComparer.Ordinal);
        foreach (var colour in App.Colours)
        {
            if (OwnerPlugin(colour) is Plugins.Group.IGroupPlugin group)
            {
                var found = orchestrated[colour.Colour] = await group.InspectAsync(colour.Group.Id, OwnerProperties(colour), cancellationToken);
                instances[colour.Colour] = found?.Instances ?? [];
            }
            else
            {
                instances[colour.Colour] = await Groups.Owner(colour.Group, new Dictionary<string, string>()).ObserveAsync(cancellationToken);
            }
        }

        var committed = App.Colours.Select(c => c.Group.Id).Where(id => Groups.State.CommittedJson(id) is not null).ToHashSet(StringComparer.Ordinal);
        var live = route?.Colour is { } c && instances.ContainsKey(c) ? c : null;
        return new Observation(route, live, instances, committed) { Orchestrated = orchestrated };
    }

    /// <summary>Points the proxy at <paramref name="colour"/>'s members, with <paramref name="backups"/> as backup servers.</summary>
    public Task RouteAsync(string? colour, string? configHash, IEnumerable<MemberView> servers, IEnumerable<MemberView> backups, CancellationToken cancellationToken) =>
        Proxy.ApplyAsync(App.ProxyTarget, new ProxyRoute(App.Id, colour, configHash, Endpoints(servers), Endpoints(backups)), cancellationToken);

    /// <summary>
    /// Points the proxy at <paramref name="colour"/> and, for a proxy with a URL, returns only once the proxy answers
    /// from it (see <see cref="FlipCheck"/>); throws naming what the proxy answered when it does not within the limit.
    /// </summary>
    public async Task FlipAsync(string colour, string? configHash, IReadOnlyList<MemberView> servers, IReadOnlyList<MemberView> backups,
        IReadOnlyList<MemberView> previous, Apps.VerifySpec? verify, CancellationToken cancellationToken)
    {
        await RouteAsync(colour, configHash, servers, backups, cancellationToken);
        if (App.ProxyUrl is { } url && await new FlipCheck(Checks).WaitAsync(new Uri(url), colour, servers, previous, verify, cancellationToken) is { } why)
        {
            throw new Diagnostics.DeployException(Diagnostics.Errors.PluginFailed, $"{App.Proxy.Plugin}: the flip to {colour} did not take effect: {why}");
        }
    }

    /// <summary>
    /// Makes sure the proxy serves the route its configuration names: a run killed between writing the proxy's file and
    /// its reload leaves a file that names the new colour while the proxy still serves the old one. Asks the proxy's URL
    /// briefly (see <see cref="FlipCheck"/>) and, when it answers otherwise, applies the same route again and waits for
    /// it. Returns whether it had to. A proxy without a URL (proxy-file) is its file: nothing to check.
    /// </summary>
    public async Task<bool> EnsureInEffectAsync(Observation seen, CancellationToken cancellationToken)
    {
        if (App.ProxyUrl is not { } url || seen.Route is not { Colour: { } live } route || !seen.Members.ContainsKey(live))
        {
            return false;
        }

        var colour = App.Colour(live);
        var previous = seen.Members[App.Other(live).Colour];
        var check = new FlipCheck(Checks, TimeSpan.FromSeconds(2));
        if (await check.WaitAsync(new Uri(url), live, seen.Members[live], previous, colour.Verify, cancellationToken) is not { } why)
        {
            return false;
        }

        Events.Info($"the proxy does not serve what its configuration names ({why}); applying its configuration again");
        await Proxy.ApplyAsync(App.ProxyTarget, route, cancellationToken);
        if (await new FlipCheck(Checks).WaitAsync(new Uri(url), live, seen.Members[live], previous, colour.Verify, cancellationToken) is { } still)
        {
            throw new Diagnostics.DeployException(Diagnostics.Errors.PluginFailed, $"{App.Proxy.Plugin}: the proxy does not serve {live} as its configuration says: {still}");
        }

        return true;
    }

    /// <summary>What the proxy routes to for each member: its endpoint, or its ID where it has none.</summary>
    public static IReadOnlyList<string> Endpoints(IEnumerable<MemberView> members) => members.Select(m => m.Endpoint?.Authority ?? m.Id).ToList();

    public void Dispose() => _local.Dispose();
}

/// <summary>
/// The observed state of an app: the proxy's route, the live colour it names, each colour's instances (by tags) and
/// which colour groups are committed.
/// </summary>
public sealed record Observation(
    ProxyRoute? Route,
    string? Live,
    IReadOnlyDictionary<string, IReadOnlyList<InstanceDescription>> Instances,
    IReadOnlySet<string> Committed)
{
    /// <summary>Each orchestrated colour's group as its orchestrator reports it (null: it does not exist); empty for scaler groups.</summary>
    public IReadOnlyDictionary<string, Plugins.Group.OrchestratedGroup?> Orchestrated { get; init; } =
        new Dictionary<string, Plugins.Group.OrchestratedGroup?>();

    /// <summary>Each colour's instances as member views.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<MemberView>> Members { get; } =
        Instances.ToDictionary(p => p.Key, p => (IReadOnlyList<MemberView>)p.Value.Select(GroupService.ToView).ToList(), StringComparer.Ordinal);

    /// <summary>The version <paramref name="colour"/>'s instances carry in their tags; null when none does.</summary>
    public string? VersionOf(string colour) =>
        Members[colour].Select(m => m.Tags.GetValueOrDefault("deploy.version")).FirstOrDefault(v => !string.IsNullOrEmpty(v));

    /// <summary>The config hash <paramref name="colour"/>'s instances carry; null when it has none.</summary>
    public string? HashOf(string colour) => Members[colour].Select(m => m.Tags.GetValueOrDefault(GroupPlanner.HashTag)).FirstOrDefault(h => h is not null);
}
