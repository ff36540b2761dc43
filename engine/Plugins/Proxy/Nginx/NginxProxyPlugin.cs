using System.Text.Json;
using Deploy.Engine.Commands;
using Deploy.Engine.Diagnostics;

namespace Deploy.Engine.Plugins.Proxy.Nginx;

/// <summary>
/// Flips nginx between colours by rewriting the file holding one <c>upstream</c> block, testing the configuration and
/// reloading gracefully (old workers finish their requests). The header comment in that file is the live colour.
/// </summary>
public sealed class NginxProxyPlugin(CommandRunner runner) : IProxyPlugin
{
    // A reload normally shows new workers within tens of milliseconds; this bounds a stuck or failed one.
    private static readonly TimeSpan ReloadLimit = TimeSpan.FromSeconds(10);

    public string Name => "proxy-nginx";

    public string Description => "Rewrites an nginx upstream file, tests and reloads (UpstreamFile, Upstream, ReloadCommand)";

    public IEnumerable<Diagnostic> Validate(JsonElement? properties, string path)
    {
        var bag = new DiagnosticBag();
        NginxSettings.Read(properties, path, ".", bag);
        return bag.Items;
    }

    /// <summary>The route in the upstream file; null when the file is missing or has no deploy header. Read-only.</summary>
    public async Task<ProxyRoute?> CurrentAsync(ProxyTarget target, CancellationToken cancellationToken)
    {
        var settings = Settings(target);
        try
        {
            return NginxUpstream.Parse(await System.IO.File.ReadAllTextAsync(settings.UpstreamFile, cancellationToken));
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <summary>
    /// Writes the upstream file atomically, runs TestCommand then ReloadCommand and, with PidFile, waits until nginx's
    /// new workers run (old ones are "shutting down"). On failure the previous file is restored byte for byte.
    /// Applying the same route twice rewrites the same bytes and reloads again, which is harmless.
    /// </summary>
    public async Task ApplyAsync(ProxyTarget target, ProxyRoute route, CancellationToken cancellationToken)
    {
        var settings = Settings(target);
        var servers = route.Servers.Select(s => ServerAddress.Normalize(s, Name)).Distinct().ToList();
        var backups = route.Backups.Select(s => ServerAddress.Normalize(s, Name)).Distinct().Except(servers).ToList();
        var content = NginxUpstream.Render(settings.Upstream, route, servers, backups);

        var watch = settings.PidFile is { } pidFile ? WorkerWatch.Before(pidFile) : null;
        var swap = new ConfigSwap(Name, settings.UpstreamFile, settings.Test(target.BaseDirectory), settings.Reload(target.BaseDirectory),
            watch is null ? null : ct => watch.WaitAsync(ReloadLimit, IsRetiring, ct));
        await swap.ApplyAsync(runner, content, cancellationToken);
    }

    // An old worker that got the graceful-quit signal closes its listening sockets and retitles itself.
    private static bool IsRetiring(int pid) =>
        // The process title is one small read; the socket table is the whole of /proc/net/tcp: ask it only when needed.
        WorkerWatch.CommandLine(pid).Contains("shutting down") || WorkerWatch.HoldsListeningSocket(pid) == false;

    private NginxSettings Settings(ProxyTarget target)
    {
        var bag = new DiagnosticBag();
        var settings = NginxSettings.Read(target.Properties, "$.Properties", target.BaseDirectory, bag);
        bag.ThrowIfErrors();
        return settings!;
    }
}
