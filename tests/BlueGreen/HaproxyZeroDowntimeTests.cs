using System.Text.Json.Nodes;
using Deploy.Tests.Fixtures;
using Deploy.Tests.Support;
using Xunit.Abstractions;

namespace Deploy.Tests.BlueGreen;

/// <summary>
/// The same five deploys behind a real HAProxy. Failures before the flip cost nothing; a version failing after the flip
/// may cost a few requests until HAProxy's checks mark its servers down (retry-on and redispatch absorb most): reported.
/// </summary>
[Collection(HelloApp.Collection)]
public sealed class HaproxyZeroDowntimeTests(HelloApp hello, ITestOutputHelper output) : IAsyncLifetime
{
    private readonly TempDir _dir = new();
    private HaproxyServer _haproxy = null!;
    private CliRunner _cli = null!;
    private string _spec = "";

    public async Task InitializeAsync()
    {
        _haproxy = await HaproxyServer.StartAsync();
        var proxy = new JsonObject { ["Plugin"] = "proxy-haproxy", ["Properties"] = JsonNode.Parse(_haproxy.Target().Properties!.Value.GetRawText()) };
        _spec = _dir.Write("shop.json", ShopSpec.Json(hello.Dll, 18500, proxy, verifyDuration: "1s"));
        _cli = new CliRunner(_dir.Path);
    }

    [Fact]
    public async Task Apply_FiveDeploysUnderLoad_FailuresOnlyFromTheLateFailureAndFew()
    {
        var scenario = new FiveDeployScenario(_cli, _spec, _haproxy.Url);
        scenario.UseLongVerify();

        await using var load = await scenario.RunAsync();

        output.WriteLine($"haproxy: {load.Failures.Count} failed of {load.Requests} requests");
        foreach (var failure in load.Failures.Take(20))
        {
            output.WriteLine(failure);
        }

        scenario.Applies.Select(a => a.ExitCode).ShouldBe([0, 1, 0, 1, 0], string.Join("\n", scenario.Applies));
        load.Failures.ShouldAllBe(f => f.Contains("[5]"), "only the version failing after the flip may cost requests");
        (load.Failures.Count * 100.0 / load.Requests).ShouldBeLessThan(1.0);
        FiveDeployScenario.UnexpectedVersions(load).ShouldBeEmpty();
    }

    public async Task DisposeAsync()
    {
        await _cli.RunAsync("destroy", _spec, "--yes");
        ProcessScan.KillAll(_dir.Path);
        await _haproxy.DisposeAsync();
        _dir.Dispose();
    }
}
