using System.Collections.Concurrent;
using Deploy.Engine.Diagnostics;
using Deploy.Engine.Plugins.Flavor;
using Deploy.Engine.Plugins.Group;
using Deploy.Engine.Plugins.Instance;
using Deploy.Engine.Plugins.Proxy;
using Deploy.Engine.Plugins.Socket;

namespace Deploy.Engine.Plugins;

/// <summary>
/// The plugins available to a command, by kind and name. Built once, in <see cref="PluginCatalog"/>. A name that is not
/// built in may be an external plugin's socket (<see cref="PluginSockets"/>); a built-in plugin wins over a socket of
/// the same name, so a stray socket can never replace what a spec already means.
/// </summary>
public sealed class PluginRegistry
{
    private readonly PluginSockets? _sockets;
    private readonly ConcurrentDictionary<(string Kind, string Name), object> _external = new();
    private readonly Dictionary<string, IInstancePlugin> _instances;
    private readonly Dictionary<string, IFlavorPlugin> _flavors;
    private readonly Dictionary<string, IProxyPlugin> _proxies;
    private readonly Dictionary<string, IGroupPlugin> _groups;

    public PluginRegistry(IEnumerable<IInstancePlugin> instances, IEnumerable<IFlavorPlugin> flavors, IEnumerable<IProxyPlugin> proxies,
        IEnumerable<IGroupPlugin>? groups = null, PluginSockets? sockets = null)
    {
        _sockets = sockets;
        _groups = (groups ?? []).ToDictionary(p => p.Name, StringComparer.Ordinal);
        _instances = instances.ToDictionary(p => p.Name, StringComparer.Ordinal);
        _flavors = flavors.ToDictionary(p => p.Name, StringComparer.Ordinal);
        _proxies = proxies.ToDictionary(p => p.Name, StringComparer.Ordinal);
    }

    /// <summary>The folder searched for external plugins' sockets, or null when there is none.</summary>
    public string? SocketDirectory => _sockets?.Directory;

    /// <summary>Every plugin, built-in and external (sockets, kind <c>socket</c>), sorted by name then kind.</summary>
    public IReadOnlyList<PluginListing> List()
    {
        var builtIn = _instances.Values.Select(p => new PluginListing(p.Name, "instance", p.Description))
            .Concat(_flavors.Values.Select(p => new PluginListing(p.Name, "flavor", p.Description)))
            .Concat(_proxies.Values.Select(p => new PluginListing(p.Name, "proxy", p.Description)))
            .Concat(_groups.Values.Select(p => new PluginListing(p.Name, "group", p.Description)))
            .ToList();
        var names = builtIn.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        var sockets = (_sockets?.List() ?? []).Select(s => names.Contains(s.Name)
            ? new PluginListing(s.Name, "socket", $"unused: shadowed by the built-in {s.Name}; rename the socket to use it", s.Path, Shadowed: true)
            : new PluginListing(s.Name, "socket", "external InfraKit plugin (instance, flavor or proxy API)", s.Path));
        return builtIn.Concat(sockets).OrderBy(p => p.Name, StringComparer.Ordinal).ThenBy(p => p.Listen is null ? 0 : 1).ToList();
    }

    /// <summary>The instance plugin named <paramref name="name"/>, or null.</summary>
    public IInstancePlugin? FindInstance(string name) =>
        _instances.GetValueOrDefault(name) ?? External<IInstancePlugin>("instance", name, path => new SocketInstancePlugin(name, path));

    /// <summary>The flavor plugin named <paramref name="name"/>, or null.</summary>
    public IFlavorPlugin? FindFlavor(string name) =>
        _flavors.GetValueOrDefault(name) ?? External<IFlavorPlugin>("flavor", name, path => new SocketFlavorPlugin(name, path));

    /// <summary>The proxy plugin named <paramref name="name"/>, or null.</summary>
    public IProxyPlugin? FindProxy(string name) =>
        _proxies.GetValueOrDefault(name) ?? External<IProxyPlugin>("proxy", name, path => new SocketProxyPlugin(name, path));

    /// <summary>The group (orchestrator) plugin named <paramref name="name"/>, or null.</summary>
    public IGroupPlugin? FindGroup(string name) => _groups.GetValueOrDefault(name);

    /// <summary>The group plugin, or a bad-input error listing the known ones.</summary>
    public IGroupPlugin Group(string name) => FindGroup(name) ?? throw Unknown("group", name, _groups.Keys);

    /// <summary>The instance plugin, or a bad-input error listing the known ones.</summary>
    public IInstancePlugin Instance(string name) =>
        FindInstance(name) ?? throw Unknown("instance", name, _instances.Keys);

    /// <summary>The flavor plugin, or a bad-input error listing the known ones.</summary>
    public IFlavorPlugin Flavor(string name) => FindFlavor(name) ?? throw Unknown("flavor", name, _flavors.Keys);

    /// <summary>The proxy plugin, or a bad-input error listing the known ones.</summary>
    public IProxyPlugin Proxy(string name) => FindProxy(name) ?? throw Unknown("proxy", name, _proxies.Keys);

    /// <summary>The sentence used when a name is unknown: it lists the known names of that kind.</summary>
    public string UnknownMessage(string kind, string name) => UnknownText(kind, name, kind switch
    {
        "instance" => _instances.Keys,
        "flavor" => _flavors.Keys,
        "group" => _groups.Keys,
        _ => _proxies.Keys,
    });

    // One client per external plugin and kind for the registry's life: its capability answer is asked once, and
    // connections are reused. A socket that is gone is looked for again at the next lookup.
    private T? External<T>(string kind, string name, Func<string, T> create) where T : class =>
        _sockets?.Find(name) is { } path ? (T)_external.GetOrAdd((kind, name), _ => create(path)) : null;

    private DeployException Unknown(string kind, string name, IEnumerable<string> known) =>
        new(Errors.UnknownPlugin, UnknownText(kind, name, known));

    private string UnknownText(string kind, string name, IEnumerable<string> known)
    {
        var text = $"unknown {kind} plugin \"{name}\"; known {kind} plugins: {string.Join(", ", known.Order(StringComparer.Ordinal))}";
        if (_sockets is null || kind == "group")
        {
            return text;
        }

        var sockets = _sockets.List().Select(s => s.Name).ToList();
        return $"{text}; no socket \"{name}\" in {_sockets.Directory} (external plugins: {(sockets.Count == 0 ? "none" : string.Join(", ", sockets))}); "
            + $"start the plugin there, or set {PluginSockets.DirectoryVariable} to the folder where its socket is";
    }
}

/// <summary>
/// One row of <c>deploy plugin ls</c>. Listen: the socket path of an external plugin, null for a built-in one.
/// Shadowed: a socket named like a built-in plugin, which is never used.
/// </summary>
public sealed record PluginListing(string Name, string Kind, string Description, string? Listen = null, bool Shadowed = false);
