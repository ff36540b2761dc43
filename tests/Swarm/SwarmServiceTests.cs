using System.Text.Json.Nodes;
using Deploy.Tests.Fixtures;
using Deploy.Tests.Support;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace Deploy.Tests.Swarm;

/// <summary>
/// A Swarm app's services as Swarm holds them: spread over both nodes, destroyed without a service, task or container
/// left on either node, and bad input (a constraint no node meets, an image that does not exist) refused before the
/// flip while the live colour keeps serving.
/// </summary>
[Collection(HelloApp.Collection)] // the Swarm is shared with the node-loss test, which cuts the worker off
public sealed class SwarmServiceTests(SwarmCluster swarm) : IClassFixture<SwarmCluster>, IAsyncLifetime
{
    private readonly TempDir _dir = new();
    private ContainerShopSpec _shop = null!;
    private CliRunner _cli = null!;

    public async Task InitializeAsync()
    {
        _shop = await SwarmShopSpec.WriteAsync(_dir, _dir.Path, "swarm-proxy-" + Guid.NewGuid().ToString("N")[..6], swarm);
        _cli = new CliRunner(_dir.Path);
        (await _cli.RunAsync("proxy", "boot", _shop.Spec)).ExitCode.ShouldBe(0);
        await ProxyFixtures.WaitForPortAsync(_shop.Url);
        var first = await _cli.RunAsync("apply", _shop.Spec, "--var", "version=1");
        first.ExitCode.ShouldBe(0, first.ToString());
    }

    // One test, one deploy of version 1 to start from: each step below leaves blue live for the next, and the Swarm tests
    // share the suite's serial collection.
    [Fact]
    public async Task BadInputThenLogsThenDestroy_RefusedBeforeTheFlipTasksLogsReadAndNothingLeftOnEitherNode()
    {
        // A constraint no node meets: refused in the prepare step, naming the nodes there are.
        Patch(s => s["Constraints"] = new JsonArray("node.hostname==nowhere"));
        var constrained = await _cli.RunAsync("apply", _shop.Spec, "--var", "version=2");
        constrained.ExitCode.ShouldBe(1, constrained.ToString());
        constrained.Stderr.ShouldContain("no ready node of the Swarm", Case.Sensitive, constrained.ToString());
        constrained.Stderr.ShouldContain(swarm.WorkerNode, Case.Sensitive, constrained.ToString());
        await BlueServesVersionOneAndGreenWasNeverCreatedAsync();

        // An image the registry does not have: the pull on the manager fails, before any service changes.
        Patch(s => { s.Remove("Constraints"); s["Image"] = $"{swarm.Registry}/hello:no-such-tag"; });
        var missing = await _cli.RunAsync("apply", _shop.Spec, "--var", "version=2");
        missing.ExitCode.ShouldBe(1, missing.ToString());
        missing.Stderr.ShouldContain("hello:no-such-tag", Case.Sensitive, missing.ToString());
        await BlueServesVersionOneAndGreenWasNeverCreatedAsync();

        // Blue's tasks, one on each node: their output is read through the manager; then destroy leaves nothing.
        (await ContainersAsync(swarm.Socket)).ShouldNotBeEmpty();
        (await ContainersAsync(swarm.WorkerSocket)).ShouldNotBeEmpty();
        var logs = await _cli.RunAsync("logs", _shop.Spec, "--lines", "20");
        logs.ExitCode.ShouldBe(0, logs.ToString());
        logs.Stdout.ShouldContain("http://0.0.0.0:", Case.Sensitive, logs.Stdout);

        var destroy = await _cli.RunAsync("destroy", _shop.Spec, "--yes");

        destroy.ExitCode.ShouldBe(0, destroy.ToString());
        using var manager = Client(swarm.Socket);
        (await manager.Swarm.ListServicesAsync()).Select(s => s.Spec.Name).ShouldNotContain(n => n.StartsWith(_shop.App, StringComparison.Ordinal));
        (await manager.Tasks.ListAsync(CancellationToken.None)).Select(t => t.Spec?.ContainerSpec?.Labels is { } l && l.TryGetValue("deploy.app", out var app) ? app : null).ShouldNotContain(_shop.App);
        await Eventually(async () => (await ContainersAsync(swarm.Socket)).Count == 0 && (await ContainersAsync(swarm.WorkerSocket)).Count == 0);
    }

    public async Task DisposeAsync()
    {
        await _cli.RunAsync("destroy", _shop.Spec, "--yes");
        await RemoteHostChecks.RemoveContainerAsync(swarm.SocketAddress, _shop.ProxyContainer);
        _dir.Dispose();
    }

    private async Task BlueServesVersionOneAndGreenWasNeverCreatedAsync()
    {
        using var http = new HttpClient();
        (await http.GetStringAsync(new Uri(_shop.Url, "/version"))).Trim().ShouldBe("1");
        using var manager = Client(swarm.Socket);
        (await manager.Swarm.ListServicesAsync()).Select(s => s.Spec.Name).ShouldNotContain($"{_shop.App}-green");
    }

    private void Patch(Action<JsonObject> change)
    {
        var spec = JsonNode.Parse(File.ReadAllText(_shop.Spec))!.AsObject();
        change(spec["Group"]!["Orchestrator"]!["Properties"]!.AsObject());
        File.WriteAllText(_shop.Spec, spec.ToJsonString());
    }

    private async Task<IList<ContainerListResponse>> ContainersAsync(string socket)
    {
        using var client = Client(socket);
        return await client.Containers.ListContainersAsync(new ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"deploy.app={_shop.App}"] = true } },
        });
    }

    private static DockerClient Client(string socket) => new DockerClientBuilder().WithEndpoint(new Uri(socket)).Build();

    private static async Task Eventually(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!await condition())
        {
            DateTime.UtcNow.ShouldBeLessThan(deadline, "the condition never held");
            await Task.Delay(250);
        }
    }
}
