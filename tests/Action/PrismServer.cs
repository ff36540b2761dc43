using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Deploy.Tests.Fixtures;

namespace Deploy.Tests.Action;

/// <summary>
/// Prism mocking GitHub's published API description, behind a small nginx on 127.0.0.1 that makes Octokit's requests
/// something Prism reads: it strips the GHES prefix /api/v3 and presents Accept and Content-Type (when a body is
/// sent) as application/json; paths, methods and bodies reach Prism as sent. nginx logs every answer with Prism's
/// sl-violations header, so a test can fail on any request GitHub's description rejects.
/// </summary>
public sealed class PrismServer : IAsyncDisposable
{
    private readonly Process? _prism;
    private readonly string _directory;

    private PrismServer(Process? prism, string directory, int port, TimeSpan startup)
    {
        _prism = prism;
        _directory = directory;
        Port = port;
        Startup = startup;
    }

    /// <summary>nginx's port; the API is at <c>http://127.0.0.1:PORT/api/v3</c>, as on GitHub Enterprise Server.</summary>
    public int Port { get; }

    /// <summary>How long Prism took to load the description and listen.</summary>
    public TimeSpan Startup { get; }

    /// <summary>The value for GITHUB_API_URL.</summary>
    public string ApiUrl => $"http://127.0.0.1:{Port}/api/v3";

    /// <summary>
    /// Starts Prism (about a minute) and nginx in front of it. When test.sh already started Prism in the background
    /// while the solution was building (DEPLOY_TEST_PRISM_PORT), waits for that one instead.
    /// </summary>
    public static async Task<PrismServer> StartAsync()
    {
        var directory = ProxyFixtures.TempDirectory("deploy-prism-");
        if (int.TryParse(Environment.GetEnvironmentVariable("DEPLOY_TEST_PRISM_PORT"), out var started))
        {
            var wait = Stopwatch.StartNew();
            await WaitForPortAsync(started, TimeSpan.FromMinutes(8));
            var frontPort = ProxyFixtures.FreePort();
            await StartNginxAsync(directory, frontPort, started);
            return new PrismServer(null, directory, frontPort, wait.Elapsed);
        }

        var prismPort = ProxyFixtures.FreePort();
        var clock = Stopwatch.StartNew();
        var start = new ProcessStartInfo(ActionTools.Bin("prism"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var a in new[] { "mock", "-h", "127.0.0.1", "-p", prismPort.ToString(), ActionTools.OpenApi })
        {
            start.ArgumentList.Add(a);
        }

        var prism = Process.Start(start)!;
        var log = new StringBuilder();
        var listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnLine(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (log)
            {
                log.AppendLine(line);
            }

            if (line.Contains("Prism is listening", StringComparison.Ordinal))
            {
                listening.TrySetResult();
            }
        }

        prism.OutputDataReceived += (_, e) => OnLine(e.Data);
        prism.ErrorDataReceived += (_, e) => OnLine(e.Data);
        prism.BeginOutputReadLine();
        prism.BeginErrorReadLine();
        var exited = prism.WaitForExitAsync();
        var first = await Task.WhenAny(listening.Task, exited, Task.Delay(TimeSpan.FromMinutes(4)));
        if (first != listening.Task)
        {
            try { prism.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            string tail;
            lock (log)
            {
                tail = log.ToString();
            }

            throw new InvalidOperationException($"Prism did not start within 4 minutes (exited: {prism.HasExited}):\n{tail[^Math.Min(tail.Length, 3000)..]}");
        }

        var startup = clock.Elapsed;
        var port = ProxyFixtures.FreePort();
        await StartNginxAsync(directory, port, prismPort);
        return new PrismServer(prism, directory, port, startup);
    }

    private static async Task WaitForPortAsync(int port, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var client = new System.Net.Sockets.TcpClient();
                await client.ConnectAsync("127.0.0.1", port);
                return;
            }
            catch (System.Net.Sockets.SocketException) when (clock.Elapsed < timeout)
            {
                await Task.Delay(500);
            }
        }
    }

    /// <summary>Every request nginx passed to Prism whose path contains <paramref name="marker"/>: status, method, path, violations.</summary>
    public IReadOnlyList<PrismExchange> Exchanges(string marker)
    {
        var file = Path.Combine(_directory, "access.log");
        var lines = File.Exists(file) ? File.ReadAllLines(file) : [];
        return lines.Select(l => JsonSerializer.Deserialize<PrismExchange>(l)!).Where(e => e.Uri.Contains(marker, StringComparison.Ordinal)).ToList();
    }

    private static async Task StartNginxAsync(string directory, int port, int prismPort)
    {
        Directory.CreateDirectory(Path.Combine(directory, "tmp"));
        var conf = Path.Combine(directory, "nginx.conf");
        File.WriteAllText(conf, $$"""
            worker_processes 1;
            pid {{directory}}/nginx.pid;
            error_log {{directory}}/error.log warn;
            events { worker_connections 64; }
            http {
                client_body_temp_path {{directory}}/tmp/body;
                proxy_temp_path {{directory}}/tmp/proxy;
                fastcgi_temp_path {{directory}}/tmp/fastcgi;
                uwsgi_temp_path {{directory}}/tmp/uwsgi;
                scgi_temp_path {{directory}}/tmp/scgi;
                log_format conformance escape=json '{"Status":"$status","Method":"$request_method","Uri":"$request_uri","Violations":"$upstream_http_sl_violations"}';
                access_log {{directory}}/access.log conformance;
                # A Content-Type only where the request had one (a body); GETs stay without.
                map $http_content_type $json_content_type { "" ""; default application/json; }
                server {
                    listen 127.0.0.1:{{port}};
                    location /api/v3/ {
                        proxy_pass http://127.0.0.1:{{prismPort}}/;
                        proxy_set_header Accept application/json;
                        proxy_set_header Content-Type $json_content_type;
                    }
                }
            }
            """);
        var (exit, output) = await ActionTools.RunAsync(NginxServer.Binary, "-e", Path.Combine(directory, "error.log"), "-p", directory, "-c", conf);
        if (exit != 0)
        {
            throw new InvalidOperationException("nginx in front of Prism did not start: " + output);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await ActionTools.RunAsync(NginxServer.Binary, "-s", "quit", "-e", Path.Combine(_directory, "error.log"), "-p", _directory, "-c", Path.Combine(_directory, "nginx.conf"));
        if (_prism is not null)
        {
            try
            {
                _prism.Kill(entireProcessTree: true);
                await _prism.WaitForExitAsync();
            }
            catch (InvalidOperationException)
            {
            }

            _prism.Dispose();
        }
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>One request nginx passed to Prism, with Prism's answer.</summary>
public sealed record PrismExchange(string Status, string Method, string Uri, string Violations);
