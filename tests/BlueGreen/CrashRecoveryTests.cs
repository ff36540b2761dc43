using Deploy.Tests.Fixtures;
using Deploy.Tests.Support;
using Xunit.Abstractions;

namespace Deploy.Tests.BlueGreen;

/// <summary>
/// Crash safety with real nginx, hello processes and the CLI: apply killed with SIGKILL at eight seeded random moments
/// over its run, the controller killed once beside it, and a re-run after each kill. The wider sweep is bench/ --only crash.
/// </summary>
[Collection(HelloApp.Collection)]
public sealed class CrashRecoveryTests(HelloApp hello, ITestOutputHelper output) : IAsyncLifetime
{
    private readonly TempDir _dir = new();
    private NginxServer _nginx = null!;
    private CliRunner _cli = null!;
    private string _spec = "";

    public async Task InitializeAsync()
    {
        _nginx = await NginxServer.StartAsync();
        _spec = _dir.Write("shop.json", ShopSpec.Json(hello.Dll, ProxyFixtures.FreePortRange(ShopSpec.PortCount), ShopSpec.Nginx(_nginx), verifyDuration: "1s"));
        _cli = new CliRunner(_dir.Path);
    }

    [Fact]
    public async Task Apply_KilledAtEightSeededMomentsAndServeKilled_RerunsConvergeNoOrphansProxyAlwaysServes()
    {
        var sweep = await new CrashSweep(_cli, _spec, _nginx.Url, _dir.Path).RunAsync(points: 8, seed: 8);

        foreach (var p in sweep.Points)
        {
            output.WriteLine($"kill at {p.Delay.TotalMilliseconds:0} ms: rerun exit {p.RerunExit} in {p.ConvergeTime.TotalMilliseconds:0} ms, served \"{p.Served}\"");
        }

        output.WriteLine($"apply takes {sweep.ApplyTime.TotalMilliseconds:0} ms; {sweep.Requests} probes, {sweep.Failures.Count} failed");
        sweep.Points.Where(p => !p.Converged).ShouldBeEmpty(string.Join("\n", sweep.Points.Where(p => !p.Converged).Select(p => p.Rerun)));
        sweep.Failures.ShouldBeEmpty($"{sweep.Failures.Count} of {sweep.Requests} probes failed");
        sweep.Requests.ShouldBeGreaterThan(100);
        sweep.Bodies.ShouldAllBe(b => b.StartsWith("hello from "));
        sweep.Tracked.Count.ShouldBe(4);
        sweep.Running.ShouldBe(sweep.Tracked, ignoreOrder: true);
        sweep.ServeOutputs[^1].ShouldEndWith("stopped\n");
        sweep.ServeOutputs.ShouldAllBe(o => !o.Contains("Unhandled exception"));
    }

    public async Task DisposeAsync()
    {
        await _cli.RunAsync("destroy", _spec, "--yes");
        ProcessScan.KillAll(_dir.Path);
        await _nginx.DisposeAsync();
        _dir.Dispose();
    }
}
