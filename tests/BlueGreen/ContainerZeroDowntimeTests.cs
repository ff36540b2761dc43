using Deploy.Tests.Fixtures;
using Deploy.Tests.Support;
using Xunit.Abstractions;

namespace Deploy.Tests.BlueGreen;

/// <summary>
/// The promise, with containers: examples/hello published by the SDK into a registry and deployed by digest as
/// containers, nginx in a container of its own as the proxy (examples/containers' nginx.conf), the real CLI, and 8
/// keep-alive clients through nginx the whole time, one request in five a POST that must never be applied twice.
/// </summary>
[Collection(HelloApp.Collection)] // one load scenario at a time: they share the machine's two cores
public sealed class ContainerZeroDowntimeTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly TempDir _dir = new();
    private readonly TestContainers _containers = new();
    private ContainerShopSpec _shop = null!;
    private CliRunner _cli = null!;

    public async Task InitializeAsync()
    {
        _shop = await ContainerShopSpec.WriteAsync(_dir, _containers.NewFolder("deploy-container-shop-"), _containers.NewName("shop-proxy"));
        _cli = new CliRunner(_dir.Path);
        var boot = await _cli.RunAsync("proxy", "boot", _shop.Spec);
        boot.ExitCode.ShouldBe(0, boot.ToString());
        await ProxyFixtures.WaitForPortAsync(_shop.Url.Port);
    }

    [Fact]
    public async Task Apply_FiveDeploysOfContainersUnderLoad_IncludingBrokenOnes_ZeroFailedRequests()
    {
        var scenario = new FiveDeployScenario(_cli, _shop.Spec, _shop.Url, _shop.App);
        scenario.UseLongVerifyForVersion5();

        await using var load = await scenario.RunAsync();

        ScenarioAssertions.ToldTheTruthAndLostNothing(scenario, load, _shop.CounterFile, output, "nginx container, containers by digest");
        var status = await _cli.RunAsync("status", _shop.Spec);
        status.Stdout.ShouldContain("image=" + await HelloImage.ByDigestAsync());
        var logs = await _cli.RunAsync("logs", _shop.Spec, "--colour", "green");
        logs.ExitCode.ShouldBe(0, logs.ToString());
        logs.Stdout.Split('\n').Count(l => l.StartsWith($"== green {_shop.App}-green-")).ShouldBe(2, logs.Stdout);
    }

    public async Task DisposeAsync()
    {
        await _cli.RunAsync("destroy", _shop.Spec, "--yes");
        await _containers.DisposeAsync();
        _dir.Dispose();
    }
}
