using System.Net;
using System.Net.Sockets;
using Deploy.Engine.Commands;
using Deploy.Engine.Plugins.Instance;

namespace Deploy.Tests.Fixtures;

/// <summary>What the nginx and HAProxy fixtures share: the examples folder, free ports, temp folders, a client.</summary>
public static class ProxyFixtures
{
    /// <summary>The repository's <c>examples</c> folder, found by walking up from the test binaries.</summary>
    public static string ExamplesDirectory { get; } = FindExamples();

    /// <summary>A port free on 127.0.0.1 right now (the OS picks it; another process could take it before use).</summary>
    public static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <summary>
    /// The first of <paramref name="count"/> consecutive ports free on 127.0.0.1 right now, picked at random between
    /// 20000 and 32000 (below Linux's ephemeral range, so outgoing connections do not take them), so that test classes,
    /// and test runs of other checkouts on the same machine, do not hand their instances the same ports.
    /// </summary>
    public static int FreePortRange(int count)
    {
        for (var attempt = 0; ; attempt++)
        {
            var from = Random.Shared.Next(20000, 32000 - count);
            if (Enumerable.Range(from, count).All(port => LocalPorts.CanBind(IPAddress.Loopback, port)) || attempt == 50)
            {
                return from;
            }
        }
    }

    /// <summary>A new temp folder readable by nginx's unprivileged workers.</summary>
    public static string TempDirectory(string prefix)
    {
        var dir = Directory.CreateTempSubdirectory(prefix).FullName;
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(dir, (UnixFileMode)0b111_101_101); // rwxr-xr-x
        }

        return dir;
    }

    /// <summary>Runs an example script (argv, no shell line) and fails the test with its output when it fails.</summary>
    public static async Task RunScriptAsync(string script, params string[] args)
    {
        var request = new CommandRequest(["bash", script, .. args], Timeout: TimeSpan.FromSeconds(30));
        var result = await new CommandRunner().RunAsync(request, CancellationToken.None);
        if (!result.Succeeded)
        {
            throw new InvalidOperationException(result.Describe(request) + "\n" + result.Stdout);
        }
    }

    /// <summary>Waits (bounded) until 127.0.0.1:<paramref name="port"/> accepts connections: a daemon's start script returns before that.</summary>
    public static Task WaitForPortAsync(int port, TimeSpan? limit = null) => WaitForPortAsync(IPAddress.Loopback.ToString(), port, limit);

    /// <summary>The same for the host and port of <paramref name="url"/> (e.g. a proxy on a remote host's address).</summary>
    public static Task WaitForPortAsync(Uri url, TimeSpan? limit = null) => WaitForPortAsync(url.Host, url.Port, limit ?? TimeSpan.FromSeconds(20));

    private static async Task WaitForPortAsync(string host, int port, TimeSpan? limit)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(host, port);
                return;
            }
            catch (SocketException) when (clock.Elapsed < (limit ?? TimeSpan.FromSeconds(10)))
            {
                await Task.Delay(10);
            }
        }
    }

    /// <summary>
    /// An HTTP client that opens a new connection per request, so a reload never hands a test a connection the old
    /// worker is closing; zero-downtime tests that want keep-alive should build their own.
    /// </summary>
    public static HttpClient NewClient() =>
        new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.Zero }) { Timeout = TimeSpan.FromSeconds(10) };

    /// <summary>GETs <paramref name="url"/> and returns the status code and body.</summary>
    public static async Task<(int Status, string Body)> FetchAsync(this HttpClient client, Uri url)
    {
        using var response = await client.GetAsync(url);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Polls until a response has <paramref name="body"/> (bounded); returns how long that took.</summary>
    public static async Task<TimeSpan> WaitForBodyAsync(this HttpClient client, Uri url, string body, TimeSpan? limit = null)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var last = "";
        while (clock.Elapsed < (limit ?? TimeSpan.FromSeconds(10)))
        {
            try
            {
                var (status, text) = await client.FetchAsync(url);
                last = $"{status} {text}";
                if (text == body)
                {
                    return clock.Elapsed;
                }
            }
            catch (HttpRequestException e)
            {
                last = e.Message;
            }

            await Task.Delay(20);
        }

        throw new TimeoutException($"{url} never answered \"{body}\"; last answer: {last}");
    }

    private static string FindExamples()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var examples = Path.Combine(dir.FullName, "examples");
            if (Directory.Exists(Path.Combine(examples, "nginx")))
            {
                return examples;
            }
        }

        throw new DirectoryNotFoundException("examples/nginx not found above " + AppContext.BaseDirectory);
    }
}
