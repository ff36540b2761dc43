using System.Text.Json.Nodes;
using Deploy.Tests.Fixtures;
using Deploy.Tests.Support;
using Xunit.Abstractions;

namespace Deploy.Tests.BlueGreen;

/// <summary>
/// The same five deploys behind a real HAProxy: zero failed requests, through the flips and through a version that
/// fails after the flip (its servers leave the rotation at their first 5xx, GETs are retried on the standby), and
/// no POST applied twice (HAProxy never re-sends a non-idempotent request that reached a server).
/// </summary>
[Collection(HelloApp.Collection)]
public sealed class HaproxyZeroDowntimeTests(HelloApp hello, ITestOutputHelper output) : IAsyncLifetime
{
    private readonly TempDir _dir = new();
    private HaproxyServer _haproxy = null!;
    private CliRunner _cli = null!;
    private string _spec = "";
    private string _counter = "";

    public async Task InitializeAsync()
    {
        _haproxy = await HaproxyServer.StartAsync();
        _counter = Path.Combine(_dir.Path, "counter.txt");
        var proxy = new JsonObject { ["Plugin"] = "proxy-haproxy", ["Properties"] = JsonNode.Parse(_haproxy.Target().Properties!.Value.GetRawText()) };
        _spec = _dir.Write("shop.json", ShopSpec.Json(hello.Dll, ProxyFixtures.FreePortRange(ShopSpec.PortCount), proxy, verifyDuration: "1s", counterFile: _counter));
        _cli = new CliRunner(_dir.Path);
    }

    [Fact]
    public async Task Apply_FiveDeploysUnderLoad_IncludingBrokenOnes_ZeroFailedRequestsNoPostReplayed()
    {
        var scenario = new FiveDeployScenario(_cli, _spec, _haproxy.Url);
        scenario.UseLongVerifyForVersion5();

        await using var load = await scenario.RunAsync();

        ScenarioAssertions.ToldTheTruthAndLostNothing(scenario, load, _counter, output, "haproxy");
    }

    public async Task DisposeAsync()
    {
        await _cli.RunAsync("destroy", _spec, "--yes");
        ProcessScan.KillAll(_dir.Path);
        await _haproxy.DisposeAsync();
        _dir.Dispose();
    }
}
