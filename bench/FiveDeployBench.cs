using System.Text.Json.Nodes;
using Deploy.Tests.Fixtures;
using Deploy.Tests.Support;

namespace Deploy.Bench;

/// <summary>
/// The zero-downtime tests' five-deploy scenario (8 keep-alive clients, one request in five a POST), run several times
/// behind nginx configured as the README shows and behind HAProxy. Reports what the tests only assert to be zero
/// (failed requests, POSTs applied twice) and what they no longer assert at all: how long each rollback step took.
/// </summary>
internal static class FiveDeployBench
{
    public static async Task<Dictionary<string, object>> RunAsync(int runs)
    {
        var build = Directory.CreateTempSubdirectory("deploy-bench-hello-").FullName;
        try
        {
            var hello = await HelloBuild.BuildAsync(build);
            var figures = new Dictionary<string, object>();
            foreach (var proxy in new[] { "nginx", "haproxy" })
            {
                long failed = 0, requests = 0, posts = 0, replayed = 0;
                var rollbacks = new List<double>();
                for (var run = 0; run < runs; run++)
                {
                    var (f, r, p, d, rollback) = await RunOnceAsync(hello, proxy);
                    (failed, requests, posts, replayed) = (failed + f, requests + r, posts + p, replayed + d);
                    rollbacks.Add(rollback);
                    Console.Error.WriteLine($"{proxy} run {run + 1}: {f} failed of {r} requests, {p} POSTs, {d} applied twice, rollback {rollback:0} ms");
                }

                figures[$"fivedeploy_{proxy}_failed_requests"] = failed;
                figures[$"fivedeploy_{proxy}_requests"] = requests;
                figures[$"fivedeploy_{proxy}_posts"] = posts;
                figures[$"fivedeploy_{proxy}_posts_applied_twice"] = replayed;
                figures[$"fivedeploy_{proxy}_rollback_ms_max"] = Math.Round(rollbacks.Max());
            }

            return figures;
        }
        finally
        {
            Directory.Delete(build, recursive: true);
        }
    }

    private static async Task<(long Failed, long Requests, long Posts, long Replayed, double RollbackMs)> RunOnceAsync(string hello, string proxy)
    {
        var dir = ProxyFixtures.TempDirectory("deploy-bench-fivedeploy-");
        var cli = new CliRunner(dir);
        var spec = Path.Combine(dir, "shop.json");
        var counter = Path.Combine(dir, "counter.txt");
        NginxServer? nginx = null;
        HaproxyServer? haproxy = null;
        try
        {
            JsonObject section;
            Uri url;
            if (proxy == "nginx")
            {
                nginx = await NginxServer.StartAsync();
                section = new JsonObject { ["Plugin"] = "proxy-nginx", ["Properties"] = JsonNode.Parse(nginx.ReadmeProperties().GetRawText()) };
                url = nginx.Url;
            }
            else
            {
                haproxy = await HaproxyServer.StartAsync();
                section = new JsonObject { ["Plugin"] = "proxy-haproxy", ["Properties"] = JsonNode.Parse(haproxy.Target().Properties!.Value.GetRawText()) };
                url = haproxy.Url;
            }

            await File.WriteAllTextAsync(spec, ShopSpec.Json(hello, ProxyFixtures.FreePortRange(ShopSpec.PortCount), section, verifyDuration: "1s", counterFile: counter));
            var scenario = new FiveDeployScenario(cli, spec, url);
            scenario.UseLongVerifyForVersion5();
            await using var load = await scenario.RunAsync();
            var outcomes = scenario.Applies.Select(a => FiveDeployScenario.Json(a).GetProperty("outcome").GetString()).ToList();
            if (!outcomes.SequenceEqual(FiveDeployScenario.ExpectedOutcomes) || scenario.Concurrent?.ExitCode != 3)
            {
                throw new InvalidOperationException($"{proxy}: outcomes {string.Join(", ", outcomes)}, concurrent apply exit {scenario.Concurrent?.ExitCode}\n"
                    + string.Join("\n", scenario.Applies));
            }

            var rollback = FiveDeployScenario.Json(scenario.Applies[3]).GetProperty("steps").EnumerateArray()
                .Single(s => s.GetProperty("name").GetString() == "rollback");
            foreach (var failure in load.Failures.Take(5))
            {
                Console.Error.WriteLine($"  {proxy}: {failure.ReplaceLineEndings(" ")}");
            }

            return (load.Failures.Count, load.Requests, load.Posts, LoadLoop.ReplayedPosts(counter).Count,
                TimeSpan.Parse(rollback.GetProperty("duration").GetString()!).TotalMilliseconds);
        }
        finally
        {
            await cli.RunAsync("destroy", spec, "--yes");
            BenchProcesses.KillAll(dir);
            if (nginx is not null)
            {
                await nginx.DisposeAsync();
            }

            if (haproxy is not null)
            {
                await haproxy.DisposeAsync();
            }

            Directory.Delete(dir, recursive: true);
        }
    }
}
