using System.Text.Json;
using Deploy.Engine.Plugins.Proxy;

namespace Deploy.Tests.Fixtures;

/// <summary>
/// A real HAProxy (master-worker) on 127.0.0.1, started with examples/haproxy/start-haproxy.sh in its own temp folder,
/// so the example is what the tests run; stopped with stop-haproxy.sh on dispose. Backend name: <c>app</c>.
/// </summary>
public sealed class HaproxyServer : IAsyncDisposable
{
    /// <summary>The haproxy binary, overridable with $HAPROXY.</summary>
    public static readonly string Binary = Environment.GetEnvironmentVariable("HAPROXY") ?? "/usr/sbin/haproxy";

    private HaproxyServer(string directory, int port)
    {
        Directory = directory;
        Port = port;
    }

    /// <summary>The folder holding haproxy.cfg, backend.cfg and haproxy.pid.</summary>
    public string Directory { get; }

    /// <summary>The port HAProxy listens on.</summary>
    public int Port { get; }

    /// <summary>The app through HAProxy: <c>http://127.0.0.1:PORT/</c>.</summary>
    public Uri Url => new($"http://127.0.0.1:{Port}/");

    /// <summary>The backend name default_backend uses.</summary>
    public string Backend => "app";

    /// <summary>The file holding the backend section (what proxy-haproxy rewrites).</summary>
    public string ConfigFile => Path.Combine(Directory, "backend.cfg");

    /// <summary>The master's pid file; the master keeps its pid across reloads.</summary>
    public string PidFile => Path.Combine(Directory, "haproxy.pid");

    /// <summary>The master's pid, read at start.</summary>
    public int MasterPid { get; private set; }

    /// <summary>Checks both configuration files without touching the running HAProxy.</summary>
    public IReadOnlyList<string> TestCommand => [Binary, "-c", "-q", "-f", Path.Combine(Directory, "haproxy.cfg"), "-f", ConfigFile];

    /// <summary>Graceful reload: SIGUSR2 to the master, which re-reads both files and retires the old worker.</summary>
    public IReadOnlyList<string> ReloadCommand => ["kill", "-USR2", MasterPid.ToString()];

    /// <summary>Starts HAProxy on <paramref name="port"/> (default: a free port).</summary>
    public static async Task<HaproxyServer> StartAsync(int? port = null)
    {
        var server = new HaproxyServer(ProxyFixtures.TempDirectory("deploy-haproxy-"), port ?? ProxyFixtures.FreePort());
        await ProxyFixtures.RunScriptAsync(Path.Combine(ProxyFixtures.ExamplesDirectory, "haproxy", "start-haproxy.sh"), server.Directory, server.Port.ToString());
        await ProxyFixtures.WaitForPortAsync(server.Port);
        server.MasterPid = await ReadPidAsync(server.PidFile);
        await WaitForWorkerAsync(server.MasterPid);
        return server;
    }

    // A master that is still starting may not act on a reload signal yet: wait until it runs its first worker.
    private static async Task WaitForWorkerAsync(int master)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (!HasChild(master))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"haproxy master {master} started no worker within 15s");
            }

            await Task.Delay(20);
        }
    }

    private static bool HasChild(int parent) =>
        System.IO.Directory.EnumerateDirectories("/proc").Any(dir =>
        {
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                return fields.Length > 1 && fields[1] == parent.ToString(System.Globalization.CultureInfo.InvariantCulture) && fields[0] != "Z";
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return false;
            }
        });

    // The daemonizing master truncates, then writes its pid file: under load a read can land in between.
    private static async Task<int> ReadPidAsync(string pidFile)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            if (int.TryParse((await File.ReadAllTextAsync(pidFile)).Trim(), out var pid))
            {
                return pid;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"{pidFile} holds no pid");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>
    /// The <c>proxy-haproxy</c> target for this HAProxy: properties with absolute paths, base directory = <see cref="Directory"/>.
    /// Pass <paramref name="testCommand"/> or <paramref name="reloadCommand"/> to replace the working ones.
    /// </summary>
    public ProxyTarget Target(IReadOnlyList<string>? testCommand = null, IReadOnlyList<string>? reloadCommand = null) =>
        new(JsonSerializer.SerializeToElement(new
        {
            ConfigFile,
            Backend,
            TestCommand = testCommand ?? TestCommand,
            ReloadCommand = reloadCommand ?? ReloadCommand,
            Url = Url.ToString(),
            PidFile,
        }), Directory);

    public async ValueTask DisposeAsync()
    {
        await ProxyFixtures.RunScriptAsync(Path.Combine(ProxyFixtures.ExamplesDirectory, "haproxy", "stop-haproxy.sh"), Directory);
        System.IO.Directory.Delete(Directory, recursive: true);
    }
}
