using Deploy.Engine.Plugins.Proxy;
using Deploy.Engine.Spec;

namespace Deploy.Engine.Apps;

/// <summary>
/// An app spec with every value resolved: vars merged with overrides and secrets, each colour's group patched,
/// validated and hashed. SecretValues are what every output must mask.
/// </summary>
public sealed record ResolvedApp(
    AppSpec Spec,
    string File,
    string BaseDirectory,
    IReadOnlyDictionary<string, string> Vars,
    IReadOnlyList<string> SecretValues,
    IReadOnlyList<ColourSpec> Colours,
    PluginSpec Proxy,
    ProxyTarget ProxyTarget,
    string? ProxyUrl)
{
    /// <summary>The app's ID.</summary>
    public string Id => Spec.Id;

    /// <summary>The <c>version</c> var, if the spec has one.</summary>
    public string? Version => Vars.GetValueOrDefault(AppResolver.VersionVar);

    /// <summary>The colour named <paramref name="name"/>.</summary>
    public ColourSpec Colour(string name) => Colours.First(c => c.Colour == name);

    /// <summary>The other colour.</summary>
    public ColourSpec Other(string name) => Colours.First(c => c.Colour != name);

    /// <summary>The colour deployed first when none is live: the first in the spec.</summary>
    public ColourSpec First => Colours[0];

    /// <summary>The group ID of colour <paramref name="colour"/>: <c>&lt;app&gt;-&lt;colour&gt;</c>.</summary>
    public static string GroupId(string app, string colour) => $"{app}-{colour}";
}
