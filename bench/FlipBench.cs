using System.Diagnostics;
using Deploy.Engine.Commands;
using Deploy.Engine.Plugins.Proxy;
using Deploy.Engine.Plugins.Proxy.Nginx;
using Deploy.Tests.Fixtures;

namespace Deploy.Bench;

/// <summary>
/// A flip through proxy-nginx against a bare <c>nginx -s reload</c>, side by side on one real nginx (examples/nginx)
/// with two tiny backends answering "blue" and "green". Both are timed from their start to the first response from
/// the other backend through nginx, probed on fresh connections in a tight loop.
/// </summary>
internal static class FlipBench
{
    private static readonly TimeSpan ProbeLimit = TimeSpan.FromSeconds(15);

    public static async Task<Dictionary<string, object>> RunAsync(int pairs)
    {
        await using var blue = TestBackend.Start("blue");
        await using var green = TestBackend.Start("green");
        var nginx = await NginxServer.StartAsync();
        try
        {
            // As users would configure it: TestCommand, ReloadCommand and PidFile (the flip waits for the new workers).
            var target = nginx.Target();
            var plugin = new NginxProxyPlugin(new CommandRunner());
            using var probe = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.Zero, UseProxy = false })
            {
                Timeout = TimeSpan.FromSeconds(2),
            };

            await plugin.ApplyAsync(target, Route(blue, null), CancellationToken.None);
            await WaitForAsync(probe, nginx.Url, "blue");
            var live = blue;
            var flips = new List<double>();
            var completes = new List<double>();
            var reloads = new List<double>();
            var tests = new List<double>();
            for (var pair = 0; pair < pairs + 1; pair++)
            {
                // A flip as the engine does it: the new colour live, the old one as backup.
                var next = live == blue ? green : blue;
                // The probe runs from the start of the flip, as it runs right after the bare reload's signal below:
                // flip_ms is the first answer from the new colour; flip_complete_ms is when ApplyAsync returned, i.e.
                // once no old worker accepts any more (the guarantee the engine's verify-through-proxy relies on).
                var clock = Stopwatch.StartNew();
                var firstAnswer = Task.Run(async () => { await WaitForAsync(probe, nginx.Url, next.Name); return clock.Elapsed.TotalMilliseconds; });
                await plugin.ApplyAsync(target, Route(next, live), CancellationToken.None);
                var complete = clock.Elapsed.TotalMilliseconds;
                var flip = await firstAnswer;
                live = next;

                next = live == blue ? green : blue;
                clock.Restart();
                await File.WriteAllTextAsync(nginx.UpstreamFile,
                    $"upstream {nginx.Upstream} {{\n    server {next.Address} max_fails=0;\n    server {live.Address} max_fails=0 backup;\n    keepalive 16;\n}}\n");
                await BenchProcesses.RunAsync(nginx.ReloadCommand);
                await WaitForAsync(probe, nginx.Url, next.Name);
                var reload = clock.Elapsed.TotalMilliseconds;
                live = next;

                // What the flip runs besides the reload: the TestCommand alone, to explain the difference.
                clock.Restart();
                await BenchProcesses.RunAsync(nginx.TestCommand);
                var test = clock.Elapsed.TotalMilliseconds;

                if (pair > 0)
                {
                    completes.Add(complete);
                    flips.Add(flip); // pair 0 warms the JIT, the plugin's code paths and nginx
                    reloads.Add(reload);
                    tests.Add(test);
                }
            }

            var flipMs = EngineBench.Median(flips);
            var reloadMs = EngineBench.Median(reloads);
            return new Dictionary<string, object>
            {
                ["flip_ms"] = flipMs,
                ["nginx_reload_ms"] = reloadMs,
                ["flip_vs_reload_ratio"] = Math.Round(flipMs / reloadMs, 2),
                ["nginx_test_ms"] = EngineBench.Median(tests),
                ["flip_complete_ms"] = EngineBench.Median(completes),
            };
        }
        finally
        {
            await nginx.DisposeAsync();
        }
    }

    private static ProxyRoute Route(TestBackend live, TestBackend? standby) =>
        new("bench", live.Name, "bench-" + live.Name, [live.Address], standby is null ? [] : [standby.Address]);

    // Fresh connection per request, no pause between them: the first answer from the new backend ends the wait.
    private static async Task WaitForAsync(HttpClient probe, Uri url, string body)
    {
        var clock = Stopwatch.StartNew();
        var last = "";
        while (clock.Elapsed < ProbeLimit)
        {
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, url);
                request.Headers.ConnectionClose = true;
                using var response = await probe.SendAsync(request);
                last = await response.Content.ReadAsStringAsync();
                if (last == body)
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                last = e.Message;
            }
        }

        throw new TimeoutException($"{url} never answered \"{body}\" within {ProbeLimit.TotalSeconds}s; last answer: {last}");
    }
}
