using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Deploy.Engine.Plugins.Instance.Docker;
using Deploy.Tests.Fixtures;
using Deploy.Tests.Support;
using Docker.DotNet.Models;
using Xunit.Abstractions;

namespace Deploy.Tests.BlueGreen;

/// <summary>
/// The Docker engine under a deployed app stopped (SIGTERM, as a service manager or a reboot stops it) and started
/// again on the same data root, on an engine of this test's own: the shared test engine is never restarted.
/// </summary>
public sealed class DockerdRestartTests(ITestOutputHelper output)
{
    [Fact]
    public async Task DockerdRestarted_ContainersComeBackHealthyAndServeReplacesARemovedOneAndReroutesTheProxy()
    {
        var clock = Stopwatch.StartNew();
        var image = HelloImage.ByDigestAsync();
        await using var engine = await PrivateDockerEngine.StartAsync();
        await Task.WhenAll(engine.CopyImageAsync(DockerTestEngine.Nginx), image.ContinueWith(i => engine.PullAsync(i.Result)).Unwrap());
        output.WriteLine($"private engine up with nginx and hello in {clock.ElapsedMilliseconds} ms");
        await using var app = await ContainerApp.CreateAsync(engine.Host, env: new Dictionary<string, string> { ["DEPLOY_LEASE"] = "2s" });
        await app.BootProxyAsync();
        var first = await app.ApplyAsync("1");
        first.ExitCode.ShouldBe(0, first.ToString());
        var before = (await app.InstancesAsync()).Select(c => c.ID).Order().ToList();
        output.WriteLine($"version 1 live after {clock.ElapsedMilliseconds} ms");

        await engine.StopAsync();
        var whileDown = await app.ServedAsync();
        await engine.StartAgainAsync();
        output.WriteLine($"engine restarted after {clock.ElapsedMilliseconds} ms");

        // Their restart policy (unless-stopped) brings back the same containers: none is replaced, the proxy included.
        (await EventuallyAsync(async () => (await app.InstancesAsync()).All(c => c.State == "running") && await ProxyRunningAsync(app))).ShouldBeTrue(engine.ReadLog());
        (await app.InstancesAsync()).Select(c => c.ID).Order().ShouldBe(before);
        (await EventuallyAsync(async () => await LiveHealthAsync(app) is ["healthy", "healthy"])).ShouldBeTrue(string.Join(",", await LiveHealthAsync(app)));
        (await EventuallyAsync(async () => await app.ServedAsync() == "1")).ShouldBeTrue(await app.ServedAsync());
        whileDown.ShouldNotBe("1");
        output.WriteLine($"containers back and healthy after {clock.ElapsedMilliseconds} ms");

        // The controller replaces a container removed behind its back. The test holds the removed one's port, so the
        // replacement gets another and the proxy only reaches it if the controller re-renders it.
        await using var serve = app.Cli.Start("serve", "--poll-interval", "200ms");
        var victim = (await app.InstancesAsync())[0];
        var victimEndpoint = ContainerLabels.EndpointOf(victim.Labels)!;
        var client = await engine.ClientAsync();
        await client.Containers.StopContainerAsync(victim.ID, new ContainerStopParameters { WaitBeforeKillSeconds = 1 });
        using var portHolder = new TcpListener(IPAddress.Loopback, victimEndpoint.Port);
        portHolder.Start();
        await client.Containers.RemoveContainerAsync(victim.ID, new ContainerRemoveParameters { Force = true });
        var removedAt = clock.Elapsed;

        // Once the replacement holds a port, the old one is let go: a listener that never answers would stall nginx
        // (until proxy_next_upstream_timeout) for a request sent in the moment between the file's write and the reload.
        var created = await EventuallyAsync(async () => (await app.InstancesAsync()).Count(c => c.ID != victim.ID) == ContainerApp.Size);
        portHolder.Stop();
        var replaced = created && await EventuallyAsync(async () =>
        {
            var now = await app.InstancesAsync();
            var endpoints = now.Select(c => ContainerLabels.EndpointOf(c.Labels)!.Authority).Order(StringComparer.Ordinal).ToList();
            return now.Count == ContainerApp.Size && now.All(c => c.State == "running" && c.ID != victim.ID)
                && (await app.UpstreamServersAsync()).SequenceEqual(endpoints);
        });
        output.WriteLine($"replaced and re-routed {(clock.Elapsed - removedAt).TotalMilliseconds:0} ms after the removal");
        var instances = await app.InstancesAsync();
        var upstream = await app.UpstreamAsync();
        replaced.ShouldBeTrue($"{string.Join("\n", instances.Select(c => $"{c.Names[0]} {c.State} {c.Labels[ContainerLabels.Endpoint]}"))}\n{upstream}\n{serve.Output}");
        upstream!.ShouldNotContain(victimEndpoint.Authority);
        (await app.ServedAsync()).ShouldBe("1");
        (await serve.StopAsync()).ShouldBe(0, serve.Output);
        serve.Output.ShouldNotContain("Unhandled exception");
    }

    private static async Task<bool> ProxyRunningAsync(ContainerApp app) =>
        (await (await app.ClientAsync()).Containers.InspectContainerAsync(app.ProxyName)).State.Running;

    // The health `deploy status` reports for each instance of the live colour.
    private static async Task<IReadOnlyList<string>> LiveHealthAsync(ContainerApp app)
    {
        var status = await app.Cli.RunAsync("status", app.SpecFile, "--json");
        if (status.ExitCode != 0)
        {
            return [status.ToString()];
        }

        var root = JsonDocument.Parse(status.Stdout).RootElement;
        var live = root.GetProperty("liveColour").GetString();
        return root.GetProperty("colours").EnumerateArray().Where(c => c.GetProperty("colour").GetString() == live)
            .SelectMany(c => c.GetProperty("instances").EnumerateArray()).Select(i => i.GetProperty("health").GetString()!).ToList();
    }

    private static async Task<bool> EventuallyAsync(Func<Task<bool>> condition, int seconds = 30)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                if (await condition())
                {
                    return true;
                }
            }
            catch (Exception) when (clock.Elapsed < TimeSpan.FromSeconds(seconds))
            {
                // The engine is still starting, or a container is being replaced.
            }

            if (clock.Elapsed > TimeSpan.FromSeconds(seconds))
            {
                return false;
            }

            await Task.Delay(200);
        }
    }
}
