using System.Text.Json;
using Deploy.Engine.Diagnostics;

namespace Deploy.Engine.Plugins.Proxy;

/// <summary>
/// The reverse proxy in front of the colours. The proxy's own configuration is the truth about which
/// colour is live: <see cref="CurrentAsync"/> reads it back, so a fresh machine or CI runner sees the same.
/// </summary>
public interface IProxyPlugin
{
    /// <summary>The name specs use, e.g. <c>proxy-nginx</c>.</summary>
    string Name { get; }

    /// <summary>One line for <c>deploy plugin ls</c>.</summary>
    string Description { get; }

    /// <summary>Checks the plugin's <c>Properties</c> at <paramref name="path"/>; pure.</summary>
    IEnumerable<Diagnostic> Validate(JsonElement? properties, string path);

    /// <summary>The route the proxy serves now, read from its configuration; null before the first flip. Read-only.</summary>
    Task<ProxyRoute?> CurrentAsync(ProxyTarget target, CancellationToken cancellationToken);

    /// <summary>
    /// Points the proxy at <paramref name="route"/>: write atomically, test, reload gracefully. When any part
    /// fails the previous configuration is restored and a <see cref="DeployException"/> is thrown.
    /// Applying the same route twice is harmless.
    /// </summary>
    Task ApplyAsync(ProxyTarget target, ProxyRoute route, CancellationToken cancellationToken);
}

/// <summary>Where a proxy plugin works: its properties and the folder relative paths resolve against (the spec's).</summary>
public sealed record ProxyTarget(JsonElement? Properties, string BaseDirectory);

/// <summary>
/// What the proxy routes to. Colour null: no colour is live. Servers: the live colour's endpoints (or instance IDs
/// where instances have none). Backups: the healthy standby's endpoints, used only when every server fails.
/// <see cref="Selector"/> names the same live instances by their labels, for a proxy that routes by labels.
/// </summary>
public sealed record ProxyRoute(
    string App,
    string? Colour,
    string? ConfigHash,
    IReadOnlyList<string> Servers,
    IReadOnlyList<string> Backups)
{
    /// <summary>The tag naming an instance's app (every instance of an app colour carries it).</summary>
    public const string AppTag = "deploy.app";

    /// <summary>The tag naming an instance's colour.</summary>
    public const string ColourTag = "deploy.colour";

    /// <summary>
    /// The live colour's instances by label: every instance of the app's live colour carries these tags (as container
    /// labels, Swarm task labels, or a Kubernetes Deployment's pod labels), whatever its address. Empty when no colour
    /// is live. A proxy that selects by labels (a Kubernetes Service) flips by changing its selector to this.
    /// </summary>
    public IReadOnlyDictionary<string, string> Selector => Colour is null
        ? new Dictionary<string, string>()
        : new Dictionary<string, string>(StringComparer.Ordinal) { [AppTag] = App, [ColourTag] = Colour };
}
