using Deploy.Engine.Apps;
using Deploy.Engine.Events;
using Deploy.Engine.Groups;
using Deploy.Engine.Plugins.Proxy;

namespace Deploy.Engine.BlueGreen;

/// <summary>Everything one command on one app works with: the resolved spec, its proxy, the groups, the checks.</summary>
public sealed class AppContext(ResolvedApp app, GroupService groups, IDeployEvents events, AppRecords records) : IDisposable
{
    public ResolvedApp App { get; } = app;

    public GroupService Groups { get; } = groups;

    public IDeployEvents Events { get; } = events;

    public AppRecords Records { get; } = records;

    public SecretMask Mask { get; } = new(app.SecretValues);

    public IProxyPlugin Proxy { get; } = groups.Plugins.Proxy(app.Proxy.Plugin);

    public HttpChecks Checks { get; } = new();

    public HookRunner Hooks => new(App.BaseDirectory, Mask);

    /// <summary>Re-reads the truth: the proxy's route and every instance of each colour, by tags.</summary>
    public async Task<Observation> ObserveAsync(CancellationToken cancellationToken)
    {
        var route = await Proxy.CurrentAsync(App.ProxyTarget, cancellationToken);
        var members = new Dictionary<string, IReadOnlyList<MemberView>>(StringComparer.Ordinal);
        foreach (var colour in App.Colours)
        {
            members[colour.Colour] = await Groups.MembersAsync(colour.Group, cancellationToken);
        }

        var live = route?.Colour is { } c && members.ContainsKey(c) ? c : null;
        return new Observation(route, live, members);
    }

    /// <summary>Points the proxy at <paramref name="colour"/>'s members, with <paramref name="backups"/> as backup servers.</summary>
    public Task RouteAsync(string? colour, string? configHash, IEnumerable<MemberView> servers, IEnumerable<MemberView> backups, CancellationToken cancellationToken) =>
        Proxy.ApplyAsync(App.ProxyTarget, new ProxyRoute(App.Id, colour, configHash, Endpoints(servers), Endpoints(backups)), cancellationToken);

    /// <summary>What the proxy routes to for each member: its endpoint, or its ID where it has none.</summary>
    public static IReadOnlyList<string> Endpoints(IEnumerable<MemberView> members) => members.Select(m => m.Endpoint ?? m.Id).ToList();

    public void Dispose() => Checks.Dispose();
}

/// <summary>The observed state of an app: the proxy's route, the live colour it names, and each colour's instances.</summary>
public sealed record Observation(ProxyRoute? Route, string? Live, IReadOnlyDictionary<string, IReadOnlyList<MemberView>> Members);
