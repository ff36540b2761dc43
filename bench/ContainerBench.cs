using System.Diagnostics;
using Deploy.Engine.Commands;
using Deploy.Engine.Plugins.Proxy;
using Deploy.Engine.Plugins.Proxy.Nginx;
using Deploy.Tests.Fixtures;
using Deploy.Tests.Support;

namespace Deploy.Bench;

/// <summary>
/// Containers on one Docker engine (the tests' private one): <c>container_apply_ms</c>, a 2-container app of
/// examples/containers to live with the real CLI, beside the app's own start time (docker run to its first answer);
/// and failed requests under 8 keep-alive clients through nginx in a container, across blue/green deploys, against
/// what a user would do otherwise on one host: <c>docker rm -f</c> the old containers, then <c>docker run</c> the new.
/// </summary>
internal static class ContainerBench
{
    private const int Deploys = 5;

    public static async Task<Dictionary<string, object>> RunAsync()
    {
        var image = await HelloImage.ByDigestAsync();
        var figures = new Dictionary<string, object>();
        await using var containers = new TestContainers();
        using var dir = new TempDir();
        var shop = await ContainerShopSpec.WriteAsync(dir, containers.NewFolder("deploy-bench-containers-"), containers.NewName("bench-proxy"));
        var cli = new CliRunner(dir.Path);
        try
        {
            await cli.RunOkAsync("proxy", "boot", shop.Spec);
            await ProxyFixtures.WaitForPortAsync(shop.Url.Port);
            var applies = new List<double>();
            var first = Stopwatch.StartNew();
            await cli.RunOkAsync("apply", shop.Spec, "--var", "version=1");
            figures["container_first_apply_ms"] = Math.Round(first.Elapsed.TotalMilliseconds);
            await using (var load = new LoadLoop(shop.Url, clients: 8, maxDuration: TimeSpan.FromMinutes(4)))
            {
                for (var version = 2; version <= Deploys + 1; version++)
                {
                    var clock = Stopwatch.StartNew();
                    await cli.RunOkAsync("apply", shop.Spec, "--var", $"version={version}");
                    applies.Add(clock.Elapsed.TotalMilliseconds);
                }

                await Task.Delay(500);
                await load.StopAsync();
                figures["failed_requests_container_bluegreen"] = load.Failures.Count;
                figures["requests_container_bluegreen"] = load.Requests;
            }

            figures["container_apply_ms"] = Math.Round(Median(applies));
            figures["container_start_ms"] = Math.Round(await AppStartAsync(containers, image));
            var (failed, requests) = await RemoveThenRunAsync(containers, image);
            figures["failed_requests_container_rm_run"] = failed;
            figures["requests_container_rm_run"] = requests;
        }
        finally
        {
            await cli.RunAsync("destroy", shop.Spec, "--yes");
        }

        return figures;
    }

    // The app's own start: docker run of one hello container (host network) to its first answer, median of 3.
    private static async Task<double> AppStartAsync(TestContainers containers, string image)
    {
        var samples = new List<double>();
        for (var i = 0; i < 3; i++)
        {
            var port = ProxyFixtures.FreePortRange(1);
            var name = containers.NewName("start");
            var clock = Stopwatch.StartNew();
            await BenchProcesses.DockerAsync(DockerTestEngine.Host, "run", "-d", "--name", name, "--network", "host", "-e", $"PORT={port}", "-e", "APP_VERSION=1", image);
            await WaitForVersionAsync(port, "1");
            samples.Add(clock.Elapsed.TotalMilliseconds);
            await BenchProcesses.DockerAsync(DockerTestEngine.Host, "rm", "-f", name);
        }

        return Median(samples);
    }

    // What a user does without Deploy: two containers on fixed ports in nginx's upstream; each redeploy removes both
    // (docker rm -f) and runs the new version (docker run) in their place, under the same load.
    private static async Task<(int Failed, long Requests)> RemoveThenRunAsync(TestContainers containers, string image)
    {
        var nginx = await NginxContainer.StartAsync(containers, "rmrun");
        int[] ports = [ProxyFixtures.FreePortRange(1), ProxyFixtures.FreePortRange(1)];
        await new NginxProxyPlugin(new CommandRunner(), containers.Engines).ApplyAsync(nginx.Target(),
            new ProxyRoute("rmrun", "none", null, ports.Select(p => $"127.0.0.1:{p}").ToList(), []), CancellationToken.None);
        var names = ports.Select(_ => containers.NewName("rmrun")).ToArray();
        await RunAllAsync(names, ports, image, "1");
        await using var load = new LoadLoop(nginx.Url, clients: 8, maxDuration: TimeSpan.FromMinutes(4));
        for (var version = 2; version <= Deploys + 1; version++)
        {
            await BenchProcesses.DockerAsync(DockerTestEngine.Host, ["rm", "-f", .. names]);
            await RunAllAsync(names, ports, image, version.ToString());
        }

        await Task.Delay(500);
        await load.StopAsync();
        await BenchProcesses.DockerAsync(DockerTestEngine.Host, ["rm", "-f", .. names]);
        return (load.Failures.Count, load.Requests);
    }

    private static async Task RunAllAsync(string[] names, int[] ports, string image, string version)
    {
        for (var i = 0; i < names.Length; i++)
        {
            await BenchProcesses.DockerAsync(DockerTestEngine.Host, "run", "-d", "--name", names[i], "--network", "host", "-e", $"PORT={ports[i]}", "-e", $"APP_VERSION={version}", image);
        }

        foreach (var port in ports)
        {
            await WaitForVersionAsync(port, version);
        }
    }

    private static async Task WaitForVersionAsync(int port, string version)
    {
        using var http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.Zero, UseProxy = false }) { Timeout = TimeSpan.FromSeconds(2) };
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            try
            {
                if ((await http.GetStringAsync($"http://127.0.0.1:{port}/version")).Trim() == version)
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet.
            }

            await Task.Delay(10);
        }

        throw new TimeoutException($"hello {version} on port {port} did not answer within 30s");
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
}
