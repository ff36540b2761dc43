using System.Text.Json;
using Deploy.Engine.Commands;
using Deploy.Engine.Diagnostics;

namespace Deploy.Engine.Plugins.Proxy;

/// <summary>What a proxy configured through one file the plugin owns needs from its settings.</summary>
public interface IConfigFileSettings
{
    /// <summary>The absolute path of the file the proxy includes (an nginx upstream, an HAProxy backend).</summary>
    string ConfigPath { get; }

    /// <summary>The app through the proxy, where the engine sees a flip take effect.</summary>
    Uri Url { get; }

    /// <summary>The proxy's pid file: an optional speed-up where the proxy runs on this machine (its old workers are watched).</summary>
    string? PidFile { get; }

    /// <summary>Checks the whole configuration without touching the running proxy; null when not configured.</summary>
    CommandRequest? Test(string baseDirectory);

    /// <summary>Makes the running proxy load the configuration gracefully.</summary>
    CommandRequest Reload(string baseDirectory);
}

/// <summary>
/// A proxy flipped by rewriting one file it includes: write atomically, test, reload gracefully and, with a pid file,
/// wait until old workers stop accepting; on any failure the previous file is restored byte for byte. The header
/// comment in that file names the live colour. Subclasses say how to read settings, render and parse the file.
/// </summary>
public abstract class ConfigFileProxyPlugin<TSettings>(CommandRunner runner) : IProxyPlugin, IRoutesToAddresses
    where TSettings : class, IConfigFileSettings
{
    // A reload normally shows new workers within tens of milliseconds; this bounds a stuck or failed one.
    private static readonly TimeSpan ReloadLimit = TimeSpan.FromSeconds(10);

    public abstract string Name { get; }

    public abstract string Description { get; }

    public IEnumerable<Diagnostic> Validate(JsonElement? properties, string path)
    {
        var bag = new DiagnosticBag();
        ReadSettings(properties, path, ".", bag);
        return bag.Items;
    }

    /// <inheritdoc />
    public Uri? ProxyUrl(JsonElement? properties) => ReadSettings(properties, "$", ".", new DiagnosticBag())?.Url;

    /// <summary>The route in the file; null when the file is missing or has no deploy header. Read-only.</summary>
    public async Task<ProxyRoute?> CurrentAsync(ProxyTarget target, CancellationToken cancellationToken)
    {
        try
        {
            return Parse(await System.IO.File.ReadAllTextAsync(Settings(target).ConfigPath, cancellationToken));
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <summary>
    /// Writes the file atomically, runs TestCommand then ReloadCommand and, with PidFile, waits until the reload is in
    /// effect. On failure the previous file is restored byte for byte. Applying the same route twice is harmless.
    /// </summary>
    public async Task ApplyAsync(ProxyTarget target, ProxyRoute route, CancellationToken cancellationToken)
    {
        var settings = Settings(target);
        var servers = route.Servers.Select(s => ServerAddress.Normalize(s, Name)).Distinct().ToList();
        var backups = route.Backups.Select(s => ServerAddress.Normalize(s, Name)).Distinct().Except(servers).ToList();
        var content = Render(settings, route, servers, backups);

        var watch = settings.PidFile is { } pidFile ? WorkerWatch.Before(pidFile) : null;
        var swap = new ConfigSwap(Name, settings.ConfigPath, settings.Test(target.BaseDirectory), settings.Reload(target.BaseDirectory),
            watch is null ? null : ct => watch.WaitAsync(ReloadLimit, IsRetiring, ct));
        await swap.ApplyAsync(runner, content, cancellationToken);
    }

    /// <summary>Reads the plugin's properties, recording every problem in <paramref name="bag"/>.</summary>
    protected abstract TSettings? ReadSettings(JsonElement? properties, string path, string baseDirectory, DiagnosticBag bag);

    /// <summary>The file's content for <paramref name="route"/>, header comment included.</summary>
    protected abstract string Render(TSettings settings, ProxyRoute route, IReadOnlyList<string> servers, IReadOnlyList<string> backups);

    /// <summary>The route a file of this plugin records; null without a deploy header.</summary>
    protected abstract ProxyRoute? Parse(string content);

    /// <summary>True when an old worker (given its pid) no longer accepts new connections.</summary>
    protected abstract bool IsRetiring(int pid);

    private TSettings Settings(ProxyTarget target)
    {
        var bag = new DiagnosticBag();
        var settings = ReadSettings(target.Properties, "$.Properties", target.BaseDirectory, bag);
        bag.ThrowIfErrors();
        return settings!;
    }
}
