using System.Diagnostics;
using System.Text;
using Deploy.Engine.Docker;
using Deploy.Tests.Fixtures;
using Deploy.Tests.Support;
using Docker.DotNet;
using Xunit.Abstractions;

namespace Deploy.Tests.Swarm;

/// <summary>
/// A node dies under load: the worker's link goes down while 8 keep-alive clients go through nginx to a live service
/// with a task on each node. Swarm reschedules the lost task on the manager, <c>deploy serve</c> sees the new task's
/// endpoint and re-renders the live upstream (never a flip), and requests keep succeeding.
/// </summary>
[Collection(HelloApp.Collection)] // a load scenario, and it cuts the shared Swarm's worker off
public sealed class SwarmNodeLossTests(SwarmCluster swarm, ITestOutputHelper output) : IClassFixture<SwarmCluster>, IAsyncLifetime
{
    private readonly TempDir _dir = new();
    private ContainerShopSpec _shop = null!;
    private CliRunner _cli = null!;

    public async Task InitializeAsync()
    {
        // Two replicas, at most two per node: Swarm spreads them over both nodes, and the manager can take both.
        _shop = await SwarmShopSpec.WriteAsync(_dir, _dir.Path, "swarm-proxy-" + Guid.NewGuid().ToString("N")[..6], swarm, maxPerNode: 2);
        _cli = new CliRunner(_dir.Path);
        (await _cli.RunAsync("proxy", "boot", _shop.Spec)).ExitCode.ShouldBe(0);
        await ProxyFixtures.WaitForPortAsync(_shop.Url);
        foreach (var version in new[] { "1", "2" })
        {
            var apply = await _cli.RunAsync("apply", _shop.Spec, "--var", $"version={version}");
            apply.ExitCode.ShouldBe(0, apply.ToString());
        }
    }

    [Fact]
    public async Task Serve_WorkerCutOffUnderLoad_SwarmReschedulesAndServeReRendersTheLiveUpstream()
    {
        (await UpstreamAsync()).ShouldContain($"server {swarm.WorkerAddress}:", Case.Sensitive, "the live service should have a task on the worker");
        await using var serve = _cli.Start("serve", "--poll-interval", "500ms");
        await using var load = new LoadLoop(_shop.Url, clients: 8, maxDuration: TimeSpan.FromMinutes(3), postEvery: 5, phase: "before");
        await Task.Delay(TimeSpan.FromSeconds(2));

        load.Phase = "cut";
        var clock = Stopwatch.StartNew();
        await swarm.CutWorkerAsync();
        await Eventually(TimeSpan.FromSeconds(90), async () => LiveServers(await UpstreamAsync()) is { Count: 2 } servers
            && servers.All(s => s.StartsWith(swarm.ManagerAddress + ":", StringComparison.Ordinal)), () => serve.Output);
        var rerendered = clock.Elapsed;
        load.Phase = "after";
        await Task.Delay(TimeSpan.FromSeconds(5));
        await load.StopAsync();

        var failures = load.Failures;
        output.WriteLine($"worker cut off: upstream re-rendered with the manager's tasks after {rerendered.TotalSeconds:F1} s; " +
            $"{failures.Count} failed of {load.Requests} requests ({failures.Count(f => f.Contains("[after]"))} after the re-render); " +
            $"{load.Posts} POSTs, {LoadLoop.ReplayedPosts(_shop.CounterFile).Count} applied twice, {load.LostPosts(_shop.CounterFile).Count} acknowledged but lost");
        foreach (var failure in failures.Take(20))
        {
            output.WriteLine(failure);
        }

        serve.Output.ShouldContain("proxy re-rendered with 2 healthy green instances", Case.Sensitive, serve.Output);
        serve.Output.ShouldNotContain("flip");
        failures.ShouldBeEmpty($"{failures.Count} of {load.Requests} requests failed");
        LoadLoop.ReplayedPosts(_shop.CounterFile).ShouldBeEmpty();
        load.LostPosts(_shop.CounterFile).ShouldBeEmpty();
        (await UpstreamAsync()).ShouldContain("colour=green");
    }

    public async Task DisposeAsync()
    {
        await swarm.HealWorkerAsync();
        await _cli.RunAsync("destroy", _shop.Spec, "--yes");
        await RemoteHostChecks.RemoveContainerAsync(swarm.SocketAddress, _shop.ProxyContainer);
        _dir.Dispose();
    }

    // The upstream block nginx serves: "server ADDRESS:PORT ...;" lines, backups marked "backup".
    private async Task<string> UpstreamAsync()
    {
        using var client = new DockerClientBuilder().WithEndpoint(new Uri(swarm.Socket)).Build();
        var bytes = await ContainerFiles.ReadAsync(client, _shop.ProxyContainer, "/etc/nginx/deploy/web.conf", CancellationToken.None);
        return bytes is null ? "" : Encoding.UTF8.GetString(bytes);
    }

    private static List<string> LiveServers(string upstream) =>
        upstream.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith("server ", StringComparison.Ordinal) && !l.Contains(" backup"))
            .Select(l => l.Split(' ')[1]).ToList();

    private static async Task Eventually(TimeSpan limit, Func<Task<bool>> condition, Func<string> context)
    {
        var deadline = DateTime.UtcNow + limit;
        while (!await condition())
        {
            DateTime.UtcNow.ShouldBeLessThan(deadline, "the condition never held; serve printed:\n" + context());
            await Task.Delay(250);
        }
    }
}
