using System.Text.Json;
using Deploy.Engine.Commands;
using Deploy.Engine.Diagnostics;
using Deploy.Engine.Docker;

namespace Deploy.Engine.Plugins.Proxy.Nginx;

/// <summary>
/// Flips nginx between colours by rewriting the file holding one <c>upstream</c> block, testing the configuration and
/// reloading gracefully (old workers finish their requests). The header comment in that file is the live colour.
/// </summary>
public sealed class NginxProxyPlugin(CommandRunner runner, DockerEngines? engines = null) : ConfigFileProxyPlugin<NginxSettings>(runner, engines)
{
    public override string Name => "proxy-nginx";

    public override string Description => "Rewrites an nginx upstream file, tests and reloads, here or in a container (UpstreamFile, Upstream, ReloadCommand, Container)";

    protected override NginxSettings? ReadSettings(JsonElement? properties, string path, string baseDirectory, DiagnosticBag bag) =>
        NginxSettings.Read(properties, path, baseDirectory, bag);

    protected override string Render(NginxSettings settings, ProxyRoute route, IReadOnlyList<string> servers, IReadOnlyList<string> backups) =>
        NginxUpstream.Render(settings.Upstream, route, servers, backups);

    protected override ProxyRoute? Parse(string content) => NginxUpstream.Parse(content);

    // An old worker that got the graceful-quit signal retitles itself "shutting down" and closes its listening sockets.
    // The title is one small read; the socket table is the whole of /proc/net/tcp: ask it only when needed.
    protected override bool IsRetiring(int pid) =>
        WorkerWatch.CommandLine(pid).Contains("shutting down") || WorkerWatch.HoldsListeningSocket(pid) == false;
}
