using Deploy.Tests.Fixtures;
using Deploy.Tests.Support;

namespace Deploy.Bench;

/// <summary>
/// The tests' crash sweep (<see cref="CrashSweep"/>) widened: kill -9 of apply at 50 seeded random moments over its
/// run (serve killed once beside it), each followed by a re-run, with nginx probed throughout.
/// </summary>
internal static class CrashBench
{
    public static async Task<Dictionary<string, object>> RunAsync(int points = 50)
    {
        var build = Directory.CreateTempSubdirectory("deploy-bench-hello-").FullName;
        var dir = ProxyFixtures.TempDirectory("deploy-bench-crash-");
        var cli = new CliRunner(dir);
        var nginx = await NginxServer.StartAsync();
        var spec = Path.Combine(dir, "shop.json");
        try
        {
            var hello = await HelloBuild.BuildAsync(build);
            await File.WriteAllTextAsync(spec, ShopSpec.Json(hello, ProxyFixtures.FreePortRange(ShopSpec.PortCount), ShopSpec.Nginx(nginx), verifyDuration: "1s"));
            var sweep = await new CrashSweep(cli, spec, nginx.Url, dir).RunAsync(points, seed: 50);
            foreach (var p in sweep.Points.Where(p => !p.Converged).Take(3))
            {
                Console.Error.WriteLine($"crash: kill at {p.Delay.TotalMilliseconds:0} ms did not converge:\n{p.Rerun}");
            }

            return new Dictionary<string, object>
            {
                ["crash_points"] = sweep.Points.Count,
                ["crash_converged"] = sweep.Points.Count(p => p.Converged),
                ["crash_max_converge_ms"] = (int)sweep.Points.Max(p => p.ConvergeTime.TotalMilliseconds),
                ["crash_apply_ms"] = (int)sweep.ApplyTime.TotalMilliseconds,
                ["crash_orphans"] = sweep.Orphans.Count,
                ["crash_probes"] = sweep.Requests,
                ["crash_failed_probes"] = sweep.Failures.Count,
            };
        }
        finally
        {
            await cli.RunAsync("destroy", spec, "--yes");
            BenchProcesses.KillAll(dir);
            await nginx.DisposeAsync();
            Directory.Delete(dir, recursive: true);
            Directory.Delete(build, recursive: true);
        }
    }
}
