using System.Text.Json;
using Deploy.Engine.Commands;
using Deploy.Engine.Diagnostics;

namespace Deploy.Engine.Plugins.Proxy.HAProxy;

/// <summary>
/// Flips HAProxy between colours by rewriting the file holding one <c>backend</c> section, checking the configuration
/// and reloading gracefully (master-worker: the old worker finishes its connections). The header comment is the live colour.
/// </summary>
public sealed class HAProxyProxyPlugin(CommandRunner runner) : IProxyPlugin
{
    // The master re-executes itself and starts a new worker; this bounds a stuck or failed reload.
    private static readonly TimeSpan ReloadLimit = TimeSpan.FromSeconds(10);

    public string Name => "proxy-haproxy";

    public string Description => "Rewrites an HAProxy backend file, checks and reloads (ConfigFile, Backend, ReloadCommand)";

    public IEnumerable<Diagnostic> Validate(JsonElement? properties, string path)
    {
        var bag = new DiagnosticBag();
        HAProxySettings.Read(properties, path, ".", bag);
        return bag.Items;
    }

    /// <summary>The route in the backend file; null when the file is missing or has no deploy header. Read-only.</summary>
    public async Task<ProxyRoute?> CurrentAsync(ProxyTarget target, CancellationToken cancellationToken)
    {
        var settings = Settings(target);
        try
        {
            return HAProxyBackend.Parse(await System.IO.File.ReadAllTextAsync(settings.ConfigFile, cancellationToken));
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <summary>
    /// Writes the backend file atomically, runs TestCommand then ReloadCommand and, with PidFile, waits until the master
    /// runs a new worker. On failure the previous file is restored byte for byte. Applying the same route twice is harmless.
    /// </summary>
    public async Task ApplyAsync(ProxyTarget target, ProxyRoute route, CancellationToken cancellationToken)
    {
        var settings = Settings(target);
        var servers = route.Servers.Select(s => ServerAddress.Normalize(s, Name)).Distinct().ToList();
        var backups = route.Backups.Select(s => ServerAddress.Normalize(s, Name)).Distinct().Except(servers).ToList();
        var content = HAProxyBackend.Render(settings.Backend, settings.HealthPath, route, servers, backups);

        // The old worker keeps serving established connections until they close; what matters is that it stopped
        // accepting new ones (no listening socket left), else a request right after the flip could still see the old backend.
        // When its descriptors cannot be read (HAProxy runs as another user) only the new worker's start is awaited.
        var watch = settings.PidFile is { } pidFile ? WorkerWatch.Before(pidFile) : null;
        var swap = new ConfigSwap(Name, settings.ConfigFile, settings.Test(target.BaseDirectory), settings.Reload(target.BaseDirectory),
            watch is null ? null : ct => watch.WaitAsync(ReloadLimit, pid => WorkerWatch.HoldsListeningSocket(pid) != true, ct));
        await swap.ApplyAsync(runner, content, cancellationToken);
    }

    private HAProxySettings Settings(ProxyTarget target)
    {
        var bag = new DiagnosticBag();
        var settings = HAProxySettings.Read(target.Properties, "$.Properties", target.BaseDirectory, bag);
        bag.ThrowIfErrors();
        return settings!;
    }
}
