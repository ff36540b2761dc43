using System.Text.Json;
using Deploy.Engine.Commands;
using Deploy.Engine.Diagnostics;
using Deploy.Engine.Docker;

namespace Deploy.Engine.Plugins.Proxy.HAProxy;

/// <summary>
/// Flips HAProxy between colours by rewriting the file holding one <c>backend</c> section, checking the configuration
/// and reloading gracefully (master-worker: the old worker finishes its connections). The header comment is the live colour.
/// </summary>
public sealed class HAProxyProxyPlugin(CommandRunner runner, DockerEngines? engines = null) : ConfigFileProxyPlugin<HAProxySettings>(runner, engines)
{
    public override string Name => "proxy-haproxy";

    public override string Description => "Rewrites an HAProxy backend file, checks and reloads, here or in a container (ConfigFile, Backend, ReloadCommand, Container)";

    protected override HAProxySettings? ReadSettings(JsonElement? properties, string path, string baseDirectory, DiagnosticBag bag) =>
        HAProxySettings.Read(properties, path, baseDirectory, bag);

    protected override string Render(HAProxySettings settings, ProxyRoute route, IReadOnlyList<string> servers, IReadOnlyList<string> backups) =>
        HAProxyBackend.Render(settings.Backend, settings.HealthPath, route, servers, backups);

    protected override ProxyRoute? Parse(string content) => HAProxyBackend.Parse(content);

    // The old worker keeps serving established connections until they close; what matters is that it stopped accepting
    // new ones (no listening socket left). When its descriptors cannot be read (HAProxy runs as another user) only the
    // new worker's start is awaited.
    protected override bool IsRetiring(int pid) => WorkerWatch.HoldsListeningSocket(pid) != true;
}
