using Deploy.Engine.Apps;
using Deploy.Engine.Events;
using Deploy.Engine.Plugins;

namespace Deploy.Tests.Support;

/// <summary>
/// A temp folder to write app specs into and load them as <c>plan</c> does: the built-in plugins plus
/// <see cref="AddressedFilePlugin"/>, no state, no environment unless given.
/// </summary>
public sealed class SpecFolder : IDisposable
{
    private readonly TempDir _dir = new();

    /// <summary>The folder.</summary>
    public string Path => _dir.Path;

    /// <summary>The plugins specs are validated against.</summary>
    public PluginRegistry Plugins { get; } = PluginCatalog.Create(
        new PluginContext(System.IO.Path.GetTempPath(), System.IO.Path.GetTempPath(), NullEvents.Instance), new AddressedFilePlugin(System.IO.Path.GetTempPath()));

    /// <summary>Writes <paramref name="json"/> as <c>app.json</c> and resolves it.</summary>
    public ResolvedApp Load(string json, IReadOnlyDictionary<string, string>? vars = null, Func<string, string?>? env = null, IEnumerable<string>? given = null) =>
        LoadFile(_dir.Write("app.json", json), vars, env, given);

    /// <summary>Resolves the spec at <paramref name="file"/>.</summary>
    public ResolvedApp LoadFile(string file, IReadOnlyDictionary<string, string>? vars = null, Func<string, string?>? env = null, IEnumerable<string>? given = null) =>
        AppResolver.Load(file, vars ?? new Dictionary<string, string>(), env ?? (_ => null), Plugins, _dir.Path, givenVars: given);

    /// <summary>Writes <paramref name="content"/> to <paramref name="name"/> in the folder and returns its path.</summary>
    public string Write(string name, string content) => _dir.Write(name, content);

    public void Dispose() => _dir.Dispose();
}
