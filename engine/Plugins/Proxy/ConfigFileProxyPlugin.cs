using System.Text;
using System.Text.Json;
using Deploy.Engine.Commands;
using Deploy.Engine.Diagnostics;
using Deploy.Engine.Docker;
using Deploy.Engine.Plugins.Proxy.Container;
using Deploy.Engine.Probes;

namespace Deploy.Engine.Plugins.Proxy;

/// <summary>What a proxy configured through one file the plugin owns needs from its settings.</summary>
public interface IConfigFileSettings
{
    /// <summary>The absolute path of the file the proxy includes (an nginx upstream, an HAProxy backend), where the proxy runs.</summary>
    string ConfigPath { get; }

    /// <summary>The app through the proxy, where the engine sees a flip take effect.</summary>
    Uri Url { get; }

    /// <summary>The proxy's pid file: an optional speed-up where the proxy runs on this machine (its old workers are watched).</summary>
    string? PidFile { get; }

    /// <summary>Checks the whole configuration without touching the running proxy (argv); null when not configured.</summary>
    IReadOnlyList<string>? TestCommand { get; }

    /// <summary>Makes the running proxy load the configuration gracefully (argv).</summary>
    IReadOnlyList<string> ReloadCommand { get; }

    /// <summary>The container the proxy runs in; null when it runs on this machine.</summary>
    ProxyContainer? Container { get; }
}

/// <summary>
/// A proxy flipped by rewriting one file it includes: write atomically, test, reload gracefully and, with a pid file,
/// wait until old workers stop accepting; on any failure the previous file is restored byte for byte. The header
/// comment in that file names the live colour. The proxy runs on this machine or in a container (see
/// <see cref="IProxyHost"/>); subclasses say how to read settings, render and parse the file.
/// </summary>
public abstract class ConfigFileProxyPlugin<TSettings>(CommandRunner runner, DockerEngines? engines = null)
    : IProxyPlugin, IRoutesToAddresses, IProbesFromProxy, IBootsProxy
    where TSettings : class, IConfigFileSettings
{
    // A reload normally shows new workers within tens of milliseconds; this bounds a stuck or failed one.
    private static readonly TimeSpan ReloadLimit = TimeSpan.FromSeconds(10);

    private readonly DockerEngines _engines = engines ?? new DockerEngines();

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

    /// <summary>With <c>Container</c>, a probe that makes each request inside the proxy's container; else null (this machine).</summary>
    public IHttpProbe? Probe(ProxyTarget target) =>
        Settings(target).Container is { } container ? new ContainerHttpProbe(_engines, container.Host, container.Name) : null;

    /// <summary>The route in the file; null when the file is missing or has no deploy header. Read-only.</summary>
    public async Task<ProxyRoute?> CurrentAsync(ProxyTarget target, CancellationToken cancellationToken)
    {
        var settings = Settings(target);
        var bytes = await Host(settings, target).ReadAsync(settings.ConfigPath, cancellationToken);
        return bytes is null ? null : Parse(Encoding.UTF8.GetString(bytes).TrimStart('\uFEFF'));
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

        // PidFile is refused with Container: worker processes are watched only on this machine.
        var watch = settings.PidFile is { } pidFile ? WorkerWatch.Before(pidFile) : null;
        var swap = new ConfigSwap(Name, Host(settings, target), settings.ConfigPath, settings.TestCommand, settings.ReloadCommand,
            watch is null ? null : ct => watch.WaitAsync(ReloadLimit, IsRetiring, ct));
        await swap.ApplyAsync(content, cancellationToken);
    }

    /// <inheritdoc />
    public Task<BootResult> BootAsync(ProxyTarget target, string app, CancellationToken cancellationToken)
    {
        var settings = Settings(target);
        if (settings.Container is not { } container)
        {
            throw new DeployException(Errors.Refused,
                $"{Name}: this proxy runs on this machine, so there is no container to boot; add \"Container\" and \"Boot\" to the proxy's properties to run it in a container");
        }

        var empty = new ProxyRoute(app, null, null, [], []);
        var initial = new ProxyBootFile(settings.ConfigPath, Encoding.UTF8.GetBytes(Render(settings, empty, [], [])));
        return new ProxyBoot(_engines, Name).BootAsync(container, app, initial, target.BaseDirectory, cancellationToken);
    }

    /// <summary>Reads the plugin's properties, recording every problem in <paramref name="bag"/>.</summary>
    protected abstract TSettings? ReadSettings(JsonElement? properties, string path, string baseDirectory, DiagnosticBag bag);

    /// <summary>The file's content for <paramref name="route"/>, header comment included; valid for the proxy with no servers too.</summary>
    protected abstract string Render(TSettings settings, ProxyRoute route, IReadOnlyList<string> servers, IReadOnlyList<string> backups);

    /// <summary>The route a file of this plugin records; null without a deploy header.</summary>
    protected abstract ProxyRoute? Parse(string content);

    /// <summary>True when an old worker (given its pid) no longer accepts new connections.</summary>
    protected abstract bool IsRetiring(int pid);

    // The one place that decides where the proxy lives; everything else works through the host.
    private IProxyHost Host(TSettings settings, ProxyTarget target) => settings.Container is { } container
        ? new ContainerProxyHost(_engines, container, Name)
        : new LocalProxyHost(runner, target.BaseDirectory);

    private TSettings Settings(ProxyTarget target)
    {
        var bag = new DiagnosticBag();
        var settings = ReadSettings(target.Properties, "$.Properties", target.BaseDirectory, bag);
        bag.ThrowIfErrors();
        return settings!;
    }
}
