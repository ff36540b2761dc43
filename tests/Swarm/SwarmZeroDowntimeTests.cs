using Deploy.Tests.Fixtures;
using Deploy.Tests.Support;
using Xunit.Abstractions;

namespace Deploy.Tests.Swarm;

/// <summary>
/// The promise on a two-node Swarm: examples/swarm as users copy it (one service per colour, two replicas, at most one
/// per node), nginx in a container on the manager routing to each task's node address and port, the real CLI, and 8
/// keep-alive clients through nginx through five deploys, one failing health and one failing after the flip.
/// </summary>
[Collection(HelloApp.Collection)] // one load scenario at a time: they share the machine's two cores
public sealed class SwarmZeroDowntimeTests(SwarmCluster swarm, ITestOutputHelper output) : IClassFixture<SwarmCluster>, IAsyncLifetime
{
    private readonly TempDir _dir = new();
    private ContainerShopSpec _shop = null!;
    private CliRunner _cli = null!;

    public async Task InitializeAsync()
    {
        _shop = await SwarmShopSpec.WriteAsync(_dir, _dir.Path, "swarm-proxy-" + Guid.NewGuid().ToString("N")[..6], swarm);
        _cli = new CliRunner(_dir.Path);
        var boot = await _cli.RunAsync("proxy", "boot", _shop.Spec);
        boot.ExitCode.ShouldBe(0, boot.ToString());
        await ProxyFixtures.WaitForPortAsync(_shop.Url);
    }

    [Fact]
    public async Task Apply_FiveDeploysOnASwarmUnderLoad_IncludingBrokenOnes_ZeroFailedRequests()
    {
        var plan = await _cli.RunAsync("plan", _shop.Spec);
        plan.Stdout.ShouldContain($"{_shop.App}-blue : Creates service {_shop.App}-blue with 2 replicas of image {swarm.Registry}/hello@sha256:", Case.Sensitive, plan.ToString());
        var scenario = new FiveDeployScenario(_cli, _shop.Spec, _shop.Url, _shop.App);
        // A service update rolls one task at a time (each watched for 2 s): version 5 must still be good at its flip, and
        // only it needs the long verify through the proxy that sees it fail.
        scenario.UseLongVerifyForVersion5("15s", "15s");

        await using var load = await scenario.RunAsync();

        ScenarioAssertions.ToldTheTruthAndLostNothing(scenario, load, _shop.CounterFile, output, "nginx container, Swarm services");
        var status = await _cli.RunAsync("status", _shop.Spec);
        status.ExitCode.ShouldBe(0, status.ToString());
        // MaxReplicasPerNode 1 with two replicas: the live service runs one task on each node, each at its node's address.
        status.Stdout.ShouldContain($"node={swarm.ManagerNode}", Case.Sensitive, status.Stdout);
        status.Stdout.ShouldContain($"node={swarm.WorkerNode}", Case.Sensitive, status.Stdout);
        status.Stdout.ShouldContain(swarm.WorkerAddress + ":", Case.Sensitive, status.Stdout);
    }

    public async Task DisposeAsync()
    {
        await _cli.RunAsync("destroy", _shop.Spec, "--yes");
        await RemoteHostChecks.RemoveContainerAsync(swarm.SocketAddress, _shop.ProxyContainer);
        _dir.Dispose();
    }
}
