using System.Diagnostics;
using System.Text.Json;

namespace Deploy.Tests.Support;

/// <summary>
/// kill -9 of <c>deploy apply</c> at seeded random moments, each followed by a re-run of the same apply, with
/// <c>deploy serve</c> running beside (itself killed -9 once, mid-sweep, and restarted) and clients probing the proxy
/// throughout. Shared by the tests (a few points) and the bench (a wide sweep).
/// </summary>
public sealed class CrashSweep(CliRunner cli, string spec, Uri proxyUrl, string root)
{
    /// <summary>Applies version 1, then runs <paramref name="points"/> kill-and-rerun points with delays from <paramref name="seed"/>.</summary>
    public async Task<CrashSweepResult> RunAsync(int points, int seed)
    {
        var clock = Stopwatch.StartNew();
        var first = await cli.RunAsync("apply", spec, "--var", "version=1");
        var applyTime = clock.Elapsed;
        if (first.ExitCode != 0)
        {
            throw new InvalidOperationException("the first apply failed: " + first);
        }

        var random = new Random(seed);
        var results = new List<CrashPoint>();
        var serveOutput = new List<string>();
        await using var load = new LoadLoop(proxyUrl, clients: 2, maxDuration: TimeSpan.FromMinutes(30));
        var serve = cli.Start("serve", "--poll-interval", "200ms");
        try
        {
            for (var i = 0; i < points; i++)
            {
                var version = (i + 2).ToString();
                var delay = TimeSpan.FromMilliseconds(random.Next(50, (int)applyTime.TotalMilliseconds));
                load.Phase = $"kill at {delay.TotalMilliseconds:0} ms, version {version}";
                await using (var victim = cli.Start("apply", spec, "--var", $"version={version}"))
                {
                    await Task.Delay(delay);
                    victim.Kill();
                }

                if (i == points / 2)
                {
                    // The controller dies too, likely while it picks up the update the apply left behind.
                    await Task.Delay(random.Next(0, 400));
                    serve.Kill();
                    serveOutput.Add(serve.Output);
                    await serve.DisposeAsync();
                    serve = cli.Start("serve", "--poll-interval", "200ms");
                }

                clock.Restart();
                var rerun = await cli.RunAsync("apply", spec, "--var", $"version={version}");
                var converge = clock.Elapsed;
                var served = await ServedAsync();
                results.Add(new CrashPoint(delay, rerun.ExitCode, converge, served,
                    rerun.ExitCode == 0 && served.EndsWith($" {version}", StringComparison.Ordinal), rerun.ToString()));
            }
        }
        finally
        {
            await serve.StopAsync();
            serveOutput.Add(serve.Output);
            await serve.DisposeAsync();
            await load.StopAsync();
        }

        var status = JsonDocument.Parse((await cli.RunAsync("status", spec, "--json")).Stdout).RootElement;
        var tracked = status.GetProperty("colours").EnumerateArray().SelectMany(c => c.GetProperty("instances").EnumerateArray())
            .Select(i => i.GetProperty("id").GetString()!).ToHashSet();
        return new CrashSweepResult(results, applyTime, tracked, ProcessScan.InstanceIds(root).ToHashSet(), load.Requests,
            load.Failures, load.Bodies.Keys.Select(k => k.Split('|', 2)[1]).Distinct().ToList(), serveOutput);
    }

    private async Task<string> ServedAsync()
    {
        using var http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.Zero, UseProxy = false });
        try
        {
            return (await http.GetStringAsync(proxyUrl)).Trim();
        }
        catch (HttpRequestException e)
        {
            return e.Message;
        }
    }
}

/// <summary>One kill: when, how the re-run ended, how long it took to converge, and what the proxy served after it.</summary>
public sealed record CrashPoint(TimeSpan Delay, int RerunExit, TimeSpan ConvergeTime, string Served, bool Converged, string Rerun);

/// <summary>
/// A sweep's outcome. Tracked: instances status reports; Running: instance processes found in /proc. Bodies: every
/// distinct body the probing clients saw; Failures: requests that failed even on a fresh-connection retry.
/// </summary>
public sealed record CrashSweepResult(
    IReadOnlyList<CrashPoint> Points, TimeSpan ApplyTime, IReadOnlySet<string> Tracked, IReadOnlySet<string> Running,
    long Requests, IReadOnlyList<string> Failures, IReadOnlyList<string> Bodies, IReadOnlyList<string> ServeOutputs)
{
    /// <summary>Instance processes that run although no colour tracks them.</summary>
    public IReadOnlyList<string> Orphans => Running.Except(Tracked).ToList();
}
