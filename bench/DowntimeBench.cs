using System.Diagnostics;
using Deploy.Engine.Commands;
using Deploy.Engine.Plugins.Proxy;
using Deploy.Engine.Plugins.Proxy.Nginx;
using Deploy.Tests.Fixtures;
using Deploy.Tests.Support;

namespace Deploy.Bench;

/// <summary>
/// Failed requests under the same load (8 keep-alive clients through nginx, the tests' <see cref="LoadLoop"/> with its
/// retry-once definition of a failure) across 10 blue/green deploys with the real CLI, and across 10 naive
/// stop-then-start redeploys of the same hello app on fixed ports: the comparison users make.
/// </summary>
internal static class DowntimeBench
{
    private const int Deploys = 10;
    private const int Clients = 8;

    public static async Task<Dictionary<string, object>> RunAsync()
    {
        var build = Directory.CreateTempSubdirectory("deploy-bench-hello-").FullName;
        try
        {
            var hello = await HelloBuild.BuildAsync(build);
            var (bgFailed, bgRequests, bgSample) = await BlueGreenAsync(hello);
            var (rsFailed, rsRequests, rsSample) = await RestartAsync(hello);
            var figures = new Dictionary<string, object>
            {
                ["failed_requests_bluegreen"] = bgFailed,
                ["requests_bluegreen"] = bgRequests,
                ["failed_requests_restart"] = rsFailed,
                ["requests_restart"] = rsRequests,
            };
            foreach (var (name, sample) in new[] { ("bluegreen", bgSample), ("restart", rsSample) })
            {
                if (sample.Count > 0)
                {
                    Console.Error.WriteLine($"{name}: first failures:\n  " + string.Join("\n  ", sample.Select(OneLine)));
                }
            }

            return figures;
        }
        finally
        {
            Directory.Delete(build, recursive: true);
        }
    }

    /// <summary>deploy apply of a process-instance spec (Health and Verify on the nginx), versions 2..11 after a first deploy.</summary>
    private static async Task<(int, long, List<string>)> BlueGreenAsync(string hello)
    {
        var dir = ProxyFixtures.TempDirectory("deploy-bench-bluegreen-");
        var cli = new CliRunner(dir);
        var nginx = await NginxServer.StartAsync();
        var spec = Path.Combine(dir, "shop.json");
        try
        {
            await File.WriteAllTextAsync(spec, ShopSpec.Json(hello, ProxyFixtures.FreePortRange(ShopSpec.PortCount), ShopSpec.Nginx(nginx), verifyDuration: "1s"));
            await cli.RunOkAsync("apply", spec, "--var", "version=1");
            await using var load = new LoadLoop(nginx.Url, Clients, TimeSpan.FromMinutes(4));
            var failedApplies = new List<string>();
            for (var version = 2; version <= Deploys + 1; version++)
            {
                var (code, stdout, stderr) = await cli.RunAsync("apply", spec, "--var", $"version={version}");
                if (code != 0)
                {
                    failedApplies.Add($"version={version}: exit {code}\n{stdout}\n{stderr}");
                }
            }

            await Task.Delay(500);
            await load.StopAsync();
            if (failedApplies.Count > 0)
            {
                throw new InvalidOperationException($"{failedApplies.Count} of {Deploys} applies failed:\n" + string.Join("\n", failedApplies));
            }

            return (load.Failures.Count, load.Requests, load.Failures.Take(5).ToList());
        }
        finally
        {
            await cli.RunAsync("destroy", spec, "--yes");
            BenchProcesses.KillAll(dir);
            await nginx.DisposeAsync();
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>Two hello processes on fixed ports in nginx's upstream; each redeploy SIGTERMs both, then starts the new version.</summary>
    private static async Task<(int, long, List<string>)> RestartAsync(string hello)
    {
        var root = ProxyFixtures.TempDirectory("deploy-bench-restart-");
        var nginx = await NginxServer.StartAsync();
        var running = new List<Process>();
        try
        {
            int[] ports = [ProxyFixtures.FreePort(), ProxyFixtures.FreePort()];
            var servers = ports.Select(p => $"127.0.0.1:{p}").ToList();
            // The same upstream block (max_fails=0, keepalive) the blue/green flips write, written once by the plugin.
            await new NginxProxyPlugin(new CommandRunner()).ApplyAsync(nginx.Target(), new ProxyRoute("shop", "none", null, servers, []), CancellationToken.None);

            running = await StartAllAsync(hello, ports, "1", root);
            await using var load = new LoadLoop(nginx.Url, Clients, TimeSpan.FromMinutes(4));
            for (var version = 2; version <= Deploys + 1; version++)
            {
                foreach (var process in running)
                {
                    BenchProcesses.Terminate(process.Id);
                }

                foreach (var process in running)
                {
                    using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                    try
                    {
                        await process.WaitForExitAsync(limit.Token);
                    }
                    catch (OperationCanceledException)
                    {
                        process.Kill();
                    }

                    process.Dispose();
                }

                running = await StartAllAsync(hello, ports, version.ToString(), root);
            }

            await Task.Delay(500);
            await load.StopAsync();
            return (load.Failures.Count, load.Requests, load.Failures.Take(5).ToList());
        }
        finally
        {
            BenchProcesses.KillAll(root);
            await nginx.DisposeAsync();
            Directory.Delete(root, recursive: true);
        }
    }

    // nginx's 502 page spans lines; the report needs only when and what.
    private static string OneLine(string failure)
    {
        var line = string.Join(' ', failure.Split((char[])['\n', '\r', ' '], StringSplitOptions.RemoveEmptyEntries));
        return line.Length > 160 ? line[..160] + "..." : line;
    }

    private static async Task<List<Process>> StartAllAsync(string hello, int[] ports, string version, string root)
    {
        var started = ports.Select(port => BenchProcesses.StartHello(hello, port, version, root)).ToList();
        using var http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.Zero, UseProxy = false }) { Timeout = TimeSpan.FromSeconds(2) };
        foreach (var port in ports)
        {
            var url = new Uri($"http://127.0.0.1:{port}/version");
            var clock = Stopwatch.StartNew();
            while (true)
            {
                try
                {
                    if ((await http.GetStringAsync(url)).Trim() == version)
                    {
                        break;
                    }
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    // Not listening yet.
                }

                if (clock.Elapsed > TimeSpan.FromSeconds(30))
                {
                    throw new TimeoutException($"hello {version} on port {port} did not answer within 30s");
                }

                await Task.Delay(20);
            }
        }

        return started;
    }
}
