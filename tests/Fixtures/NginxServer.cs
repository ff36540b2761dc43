using System.Text.Json;
using Deploy.Engine.Plugins.Proxy;

namespace Deploy.Tests.Fixtures;

/// <summary>
/// A real nginx on 127.0.0.1, started with examples/nginx/start-nginx.sh in its own temp folder (config, pid, logs),
/// so the example is what the tests run; stopped with stop-nginx.sh on dispose. Upstream name: <c>app</c>.
/// </summary>
public sealed class NginxServer : IAsyncDisposable
{
    /// <summary>The nginx binary, overridable with $NGINX.</summary>
    public static readonly string Binary = Environment.GetEnvironmentVariable("NGINX") ?? "/usr/sbin/nginx";

    private NginxServer(string directory, int port)
    {
        Directory = directory;
        Port = port;
    }

    /// <summary>The folder holding nginx.conf, upstream.conf, nginx.pid, logs/ and tmp/.</summary>
    public string Directory { get; }

    /// <summary>The port nginx listens on.</summary>
    public int Port { get; }

    /// <summary>The app through nginx: <c>http://127.0.0.1:PORT/</c>.</summary>
    public Uri Url => new($"http://127.0.0.1:{Port}/");

    /// <summary>The upstream name proxy_pass uses.</summary>
    public string Upstream => "app";

    /// <summary>The file holding the upstream block (what proxy-nginx rewrites).</summary>
    public string UpstreamFile => Path.Combine(Directory, "upstream.conf");

    /// <summary>nginx's master pid file.</summary>
    public string PidFile => Path.Combine(Directory, "nginx.pid");

    /// <summary>nginx's error log, for assertion messages.</summary>
    public string ErrorLog => Path.Combine(Directory, "logs", "error.log");

    /// <summary>Checks the configuration without touching the running nginx.</summary>
    public IReadOnlyList<string> TestCommand => [Binary, "-t", "-q", "-e", ErrorLog, "-p", Directory, "-c", Path.Combine(Directory, "nginx.conf")];

    /// <summary>Graceful reload: sends HUP to the master named in the pid file.</summary>
    public IReadOnlyList<string> ReloadCommand => [Binary, "-s", "reload", "-e", ErrorLog, "-p", Directory, "-c", Path.Combine(Directory, "nginx.conf")];

    /// <summary>Starts nginx on <paramref name="port"/> (default: a free port).</summary>
    public static async Task<NginxServer> StartAsync(int? port = null)
    {
        var server = new NginxServer(ProxyFixtures.TempDirectory("deploy-nginx-"), port ?? ProxyFixtures.FreePort());
        await ProxyFixtures.RunScriptAsync(Path.Combine(ProxyFixtures.ExamplesDirectory, "nginx", "start-nginx.sh"), server.Directory, server.Port.ToString());
        await ProxyFixtures.WaitForPortAsync(server.Port);
        return server;
    }

    /// <summary>
    /// The <c>proxy-nginx</c> target for this nginx: properties with absolute paths, base directory = <see cref="Directory"/>.
    /// Pass <paramref name="testCommand"/> or <paramref name="reloadCommand"/> to replace the working ones.
    /// </summary>
    public ProxyTarget Target(IReadOnlyList<string>? testCommand = null, IReadOnlyList<string>? reloadCommand = null) =>
        new(JsonSerializer.SerializeToElement(new
        {
            UpstreamFile,
            Upstream,
            TestCommand = testCommand ?? TestCommand,
            ReloadCommand = reloadCommand ?? ReloadCommand,
            Url = Url.ToString(),
            PidFile,
        }), Directory);

    /// <summary>
    /// The <c>proxy-nginx</c> properties exactly as the README's app spec shows them: <c>UpstreamFile</c>,
    /// <c>Upstream</c>, <c>ReloadCommand</c> and <c>Url</c>, no <c>TestCommand</c>, no <c>PidFile</c>. The only
    /// substitution is this nginx's own <c>-e</c>/<c>-p</c>/<c>-c</c> in the reload command.
    /// </summary>
    public JsonElement ReadmeProperties() =>
        JsonSerializer.SerializeToElement(new { UpstreamFile, Upstream, ReloadCommand, Url = Url.ToString() });

    public async ValueTask DisposeAsync()
    {
        await ProxyFixtures.RunScriptAsync(Path.Combine(ProxyFixtures.ExamplesDirectory, "nginx", "stop-nginx.sh"), Directory);
        System.IO.Directory.Delete(Directory, recursive: true);
    }
}
