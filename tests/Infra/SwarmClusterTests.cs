using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using Deploy.Engine.Docker;
using Deploy.Tests.Fixtures;
using Deploy.Tests.Support;
using Docker.DotNet.Models;

namespace Deploy.Tests.Infra;

/// <summary>
/// The two-node Swarm tests/infra/swarm.sh starts, checked for real: both nodes Ready under the hostnames it prints, the
/// registry on the manager's veth address serving the test registry's storage, a service spread over both nodes serving
/// on both addresses, and the worker going Down when its link is cut and Ready again when it is healed.
/// </summary>
[Collection(SwarmCluster.Collection)]
public sealed class SwarmClusterTests(SwarmCluster swarm) : IDisposable
{
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromMinutes(2));
    private readonly TempDir _cli = new(); // the docker CLI's config folder: no user contexts, proxies or credentials
    private readonly HttpClient _http = new(new HttpClientHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(5) };
    private readonly DockerEngines _engines = new();

    public void Dispose()
    {
        _engines.Dispose();
        _http.Dispose();
        _cli.Dispose();
        _timeout.Dispose();
    }

    [Fact]
    public async Task Nodes_BothReadyUnderTheirHostnames_ManagerLeadsOnTheVethAddress()
    {
        var nodes = await NodesAsync();

        nodes.Select(n => n.Description?.Hostname).Order().ShouldBe([swarm.ManagerNode, swarm.WorkerNode]);
        nodes.ShouldAllBe(n => State(n) == "ready");
        var manager = nodes.Single(n => n.Description?.Hostname == swarm.ManagerNode);
        (manager.ManagerStatus?.Leader ?? false).ShouldBeTrue();
        manager.ManagerStatus?.Addr.ShouldBe($"{swarm.ManagerAddress}:2377");
        nodes.Single(n => n.Description?.Hostname == swarm.WorkerNode).Status?.Addr.ShouldBe(swarm.WorkerAddress);
        (swarm.ManagerAddress, swarm.WorkerAddress).ShouldBe(("10.200.0.1", "10.200.0.2"));
    }

    [Fact]
    public async Task Registry_OnTheManagerAddress_ServesTheTestRegistrysStorage()
    {
        const string path = "/v2/dotnet/aspnet/manifests/10.0";

        using var root = await _http.GetAsync($"http://{swarm.Registry}/v2/", _timeout.Token);
        var local = await DigestAsync($"http://{DockerTestEngine.Registry}{path}");
        var served = await DigestAsync($"http://{swarm.Registry}{path}");

        swarm.Registry.ShouldStartWith(swarm.ManagerAddress + ":");
        root.StatusCode.ShouldBe(HttpStatusCode.OK);
        local.ShouldStartWith("sha256:");
        served.ShouldBe(local);
    }

    [Fact]
    public async Task Service_TwoHostNetworkReplicasOnePerNode_PulledFromTheRegistryAndServeOnBothAddresses()
    {
        // busybox, pushed to the test registry and pulled by both nodes through the swarm's registry, by digest.
        var pushed = $"{DockerTestEngine.Registry}/swarm-infra-test/busybox:1";
        (await DockerAsync("-H", DockerTestEngine.Host, "tag", DockerTestEngine.Busybox, pushed)).Exit.ShouldBe(0);
        var push = await DockerAsync("-H", DockerTestEngine.Host, "push", pushed);
        push.Exit.ShouldBe(0, push.Stderr);
        var digest = Regex.Match(push.Stdout, @"digest: (sha256:[0-9a-f]{64})").Groups[1].Value;
        digest.ShouldNotBeEmpty(push.Stdout);
        var name = "swarm-infra-test-" + Guid.NewGuid().ToString("N")[..8];
        var create = await DockerAsync("-H", swarm.Socket, "service", "create", "-d", "--name", name, "--replicas", "2",
            "--replicas-max-per-node", "1", "--network", "host", "--init", "--stop-grace-period", "2s",
            "--env", "PORT=182{{printf \"%02s\" .Task.Slot}}", "--env", "NODE={{.Node.Hostname}}",
            $"{swarm.Registry}/swarm-infra-test/busybox@{digest}",
            "sh", "-c", "echo \"$NODE $PORT\" >/tmp/index.html && exec httpd -f -p 0.0.0.0:$PORT -h /tmp");
        try
        {
            create.Exit.ShouldBe(0, create.Stderr);

            // Slot 1 and slot 2, one on each node (which one is the scheduler's choice), each answering on its node's address.
            var answers = new[] { await GetUntilOkAsync(18201), await GetUntilOkAsync(18202) };

            // The text is the task's own NODE and PORT: the templates expanded, the slot zero-padded by %02s.
            answers[0].Text.ShouldBe($"{answers[0].Node} 18201");
            answers[1].Text.ShouldBe($"{answers[1].Node} 18202");
            answers.Select(a => a.Node).Order().ShouldBe(new[] { swarm.ManagerNode, swarm.WorkerNode }.Order());
        }
        finally
        {
            await DockerAsync("-H", swarm.Socket, "service", "rm", name);
        }

        // Polls port on both nodes' addresses until one answers; the node whose address answered, and the text.
        async Task<(string Node, string Text)> GetUntilOkAsync(int port)
        {
            var clock = Stopwatch.StartNew();
            while (true)
            {
                foreach (var (address, node) in new[] { (swarm.ManagerAddress, swarm.ManagerNode), (swarm.WorkerAddress, swarm.WorkerNode) })
                {
                    try
                    {
                        return (node, (await _http.GetStringAsync($"http://{address}:{port}/", _timeout.Token)).Trim());
                    }
                    catch (HttpRequestException)
                    {
                    }
                }

                clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(60), $"nothing served port {port} on either node");
                await Task.Delay(200, _timeout.Token);
            }
        }
    }

    [Fact]
    public async Task Worker_CutThenHealed_GoesDownWithinSecondsThenReadyAgain()
    {
        (await WorkerStateAsync()).ShouldBe("ready");

        var clock = Stopwatch.StartNew();
        await swarm.CutWorkerAsync();
        try
        {
            var down = await WaitForWorkerAsync("down", TimeSpan.FromSeconds(20));
            down.ShouldBe("down");
            clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(20));
        }
        finally
        {
            await swarm.HealWorkerAsync();
        }

        var ready = await WaitForWorkerAsync("ready", TimeSpan.FromSeconds(30));
        ready.ShouldBe("ready");
    }

    private async Task<string> WaitForWorkerAsync(string state, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        var now = await WorkerStateAsync();
        while (now != state && clock.Elapsed < limit)
        {
            await Task.Delay(100, _timeout.Token);
            now = await WorkerStateAsync();
        }

        return now;
    }

    private async Task<string> WorkerStateAsync() => State((await NodesAsync()).Single(n => n.Description?.Hostname == swarm.WorkerNode));

    private async Task<IList<NodeListResponse>> NodesAsync()
    {
        var client = await _engines.ConnectAsync(swarm.SocketAddress, _timeout.Token);
        return await client.Swarm.ListNodesAsync(_timeout.Token);
    }

    private static string State(NodeListResponse node) => node.Status?.State.ToString()?.ToLowerInvariant() ?? "";

    /// <summary>The Docker-Content-Digest of a manifest (HEAD, schema 2 or OCI accepted).</summary>
    private async Task<string> DigestAsync(string url)
    {
        using var request = new HttpRequestMessage(HttpMethod.Head, url);
        request.Headers.Accept.ParseAdd("application/vnd.docker.distribution.manifest.v2+json");
        request.Headers.Accept.ParseAdd("application/vnd.oci.image.manifest.v1+json");
        using var response = await _http.SendAsync(request, _timeout.Token);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, url);
        return response.Headers.GetValues("Docker-Content-Digest").Single();
    }

    /// <summary>Runs the docker CLI (argv, no shell) with a private config folder.</summary>
    private async Task<(int Exit, string Stdout, string Stderr)> DockerAsync(params string[] args)
    {
        var info = new ProcessStartInfo("docker") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["DOCKER_CONFIG"] = _cli.Path;
        foreach (var name in new[] { "DOCKER_HOST", "DOCKER_CONTEXT", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH" })
        {
            info.Environment.Remove(name);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException("docker did not start");
        var stdout = process.StandardOutput.ReadToEndAsync(_timeout.Token);
        var stderr = process.StandardError.ReadToEndAsync(_timeout.Token);
        await process.WaitForExitAsync(_timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }
}
