using Deploy.Engine.Diagnostics;
using Deploy.Engine.Plugins.Flavor;
using Deploy.Engine.Plugins.Group;
using Deploy.Engine.Plugins.Instance;
using Deploy.Engine.Plugins.Proxy;

namespace Deploy.Engine.Plugins;

/// <summary>The plugins available to a command, by kind and name. Built once, in <see cref="PluginCatalog"/>.</summary>
public sealed class PluginRegistry
{
    private readonly Dictionary<string, IInstancePlugin> _instances;
    private readonly Dictionary<string, IFlavorPlugin> _flavors;
    private readonly Dictionary<string, IProxyPlugin> _proxies;
    private readonly Dictionary<string, IGroupPlugin> _groups;

    public PluginRegistry(IEnumerable<IInstancePlugin> instances, IEnumerable<IFlavorPlugin> flavors, IEnumerable<IProxyPlugin> proxies,
        IEnumerable<IGroupPlugin>? groups = null)
    {
        _groups = (groups ?? []).ToDictionary(p => p.Name, StringComparer.Ordinal);
        _instances = instances.ToDictionary(p => p.Name, StringComparer.Ordinal);
        _flavors = flavors.ToDictionary(p => p.Name, StringComparer.Ordinal);
        _proxies = proxies.ToDictionary(p => p.Name, StringComparer.Ordinal);
    }

    /// <summary>Every plugin as (name, kind, description), sorted by name.</summary>
    public IReadOnlyList<(string Name, string Kind, string Description)> List() =>
        _instances.Values.Select(p => (p.Name, "instance", p.Description))
            .Concat(_flavors.Values.Select(p => (p.Name, "flavor", p.Description)))
            .Concat(_proxies.Values.Select(p => (p.Name, "proxy", p.Description)))
            .Concat(_groups.Values.Select(p => (p.Name, "group", p.Description)))
            .OrderBy(p => p.Name, StringComparer.Ordinal).ToList();

    /// <summary>The instance plugin named <paramref name="name"/>, or null.</summary>
    public IInstancePlugin? FindInstance(string name) => _instances.GetValueOrDefault(name);

    /// <summary>The flavor plugin named <paramref name="name"/>, or null.</summary>
    public IFlavorPlugin? FindFlavor(string name) => _flavors.GetValueOrDefault(name);

    /// <summary>The proxy plugin named <paramref name="name"/>, or null.</summary>
    public IProxyPlugin? FindProxy(string name) => _proxies.GetValueOrDefault(name);

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

    private static DeployException Unknown(string kind, string name, IEnumerable<string> known) =>
        new(Errors.UnknownPlugin, UnknownText(kind, name, known));

    private static string UnknownText(string kind, string name, IEnumerable<string> known) =>
        $"unknown {kind} plugin \"{name}\"; known {kind} plugins: {string.Join(", ", known.Order(StringComparer.Ordinal))}";
}
