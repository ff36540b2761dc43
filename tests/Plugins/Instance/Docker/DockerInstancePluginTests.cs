using Deploy.Engine.Diagnostics;
using Deploy.Engine.Docker;
using Deploy.Engine.Planning;
using Deploy.Engine.Plugins.Instance.Docker;
using Deploy.Tests.Fixtures;

namespace Deploy.Tests.Plugins.Instance.Docker;

/// <summary>The <c>instance-docker</c> plugin against a real Docker engine: provision, describe, destroy, pulls and ports.</summary>
public sealed class DockerInstancePluginTests : IAsyncLifetime
{
    private readonly DockerHarness _h = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _h.DisposeAsync().AsTask();

    [Fact]
    public async Task Provision_WithHostNetwork_ServesOnChosenPort()
    {
        var id = await _h.ProvisionAsync(_h.Props(command: DockerHarness.Httpd(), env: new Dictionary<string, string> { ["APP_VERSION"] = "v-{{port}}" }));

        var instance = (await _h.DescribeAsync()).ShouldHaveSingleItem();
        instance.Id.ShouldBe(id);
        id.ShouldMatch($"^{_h.Group}-[0-9a-f]{{8}}$");
        var endpoint = instance.Endpoint.ShouldNotBeNull();
        endpoint.Host.ShouldBe("127.0.0.1");
        endpoint.Port.ShouldBeInRange(_h.Port, _h.Port + 19);
        (await DockerHarness.GetAsync(endpoint.Url("/"))).ShouldBe($"hello v-{endpoint.Port}");
    }

    [Fact]
    public async Task Provision_RoundTrip_LabelsCarryTagsAndDestroyRemovesTheContainer()
    {
        var id = await _h.ProvisionAsync(_h.Props(command: ["sleep", "300"], labels: new Dictionary<string, string> { ["com.example.team"] = "shop", ["com.example.port"] = "{{port}}" }),
            logicalId: "db-1");

        var labels = (await _h.InspectAsync(id)).ShouldNotBeNull().Config.Labels;
        labels[$"{ContainerLabels.TagPrefix}{GroupPlanner.GroupTag}"].ShouldBe(_h.Group);
        labels[$"{ContainerLabels.TagPrefix}{GroupPlanner.HashTag}"].ShouldBe("c0ffee");
        labels[ContainerLabels.LogicalId].ShouldBe("db-1");
        labels[ContainerLabels.Plugin].ShouldBe("instance-docker");
        labels["com.example.team"].ShouldBe("shop");
        var described = (await _h.DescribeAsync()).ShouldHaveSingleItem();
        labels["com.example.port"].ShouldBe(described.Endpoint!.Port.ToString());
        described.LogicalId.ShouldBe("db-1");
        described.Tags.ShouldBe(_h.Tags, ignoreOrder: true); // only the tags: not the user's label nor Deploy's bookkeeping

        await _h.Plugin.DestroyAsync(id, CancellationToken.None);

        (await _h.InspectAsync(id)).ShouldBeNull();
        (await _h.DescribeAsync()).ShouldBeEmpty();
    }

    [Fact]
    public async Task Provision_Settings_ReachTheContainerConfig()
    {
        using var folder = new Support.TempDir();
        var id = await _h.ProvisionAsync(_h.Props(command: ["sleep", "{{port}}"], restartPolicy: "on-failure", stopTimeout: "3s",
            mounts: [$"{folder.Path}:/data:ro"],
            healthcheck: new { Test = new[] { "CMD", "true" }, Interval = "2s", Timeout = "1s", Retries = 4, StartPeriod = "1s" }));

        var container = (await _h.InspectAsync(id)).ShouldNotBeNull();
        var port = (await _h.DescribeAsync()).Single().Endpoint!.Port;
        container.Config.Cmd.ShouldBe(["sleep", port.ToString()]);
        container.HostConfig.RestartPolicy.Name.ShouldBe(global::Docker.DotNet.Models.RestartPolicyKind.OnFailure);
        container.HostConfig.NetworkMode.ShouldBe("host");
        container.HostConfig.Binds.ShouldBe([$"{folder.Path}:/data:ro"]);
        container.Config.StopTimeout.ShouldBe(TimeSpan.FromSeconds(3));
        container.Config.Healthcheck.Test.ShouldBe(["CMD", "true"]);
        container.Config.Healthcheck.Interval.ShouldBe(TimeSpan.FromSeconds(2));
        container.Config.Healthcheck.Retries.ShouldBe(4);
    }

    [Fact]
    public async Task Provision_OnUserNetwork_PublishesContainerPortOnChosenHostPort()
    {
        var network = await _h.NetworkAsync();

        var id = await _h.ProvisionAsync(_h.Props(command: DockerHarness.Httpd("8080"), network: network, containerPort: 8080,
            env: new Dictionary<string, string> { ["APP_VERSION"] = "bridged" }));

        var endpoint = (await _h.DescribeAsync()).Single().Endpoint!;
        endpoint.Host.ShouldBe("127.0.0.1");
        (await DockerHarness.GetAsync(endpoint.Url("/"))).ShouldBe("hello bridged");
        var binding = (await _h.InspectAsync(id))!.HostConfig.PortBindings["8080/tcp"].ShouldHaveSingleItem();
        (binding.HostIP, binding.HostPort).ShouldBe(("127.0.0.1", endpoint.Port.ToString()));
    }

    [Fact]
    public async Task Provision_Twice_CreatesTwoContainersOnDifferentPorts()
    {
        var props = _h.Props(command: DockerHarness.Httpd(), env: new Dictionary<string, string> { ["APP_VERSION"] = "{{port}}" });

        var first = await _h.ProvisionAsync(props);
        var second = await _h.ProvisionAsync(props);

        first.ShouldNotBe(second);
        var ports = (await _h.DescribeAsync()).Select(d => d.Endpoint!.Port).ToList();
        ports.Count.ShouldBe(2);
        ports.Distinct().Count().ShouldBe(2);
        foreach (var port in ports)
        {
            (await DockerHarness.GetAsync($"http://127.0.0.1:{port}/")).ShouldBe($"hello {port}");
        }
    }

    [Fact]
    public async Task Provision_AllPortsHeld_FailsSayingSoAndCreatesNothing()
    {
        var props = _h.Props(command: ["sleep", "300"], range: $"{_h.Port}");
        await _h.ProvisionAsync(props);

        var e = await Should.ThrowAsync<DeployException>(() => _h.ProvisionAsync(props));

        e.ExitCode.ShouldBe(1);
        e.Message.ShouldContain($"no free host port between {_h.Port} and {_h.Port}");
        (await _h.ContainersAsync()).Count.ShouldBe(1);
    }

    [Fact]
    public async Task Provision_MissingImageWithPullNever_FailsNamingImageAndEngineAndLeavesNoContainer()
    {
        var e = await Should.ThrowAsync<DeployException>(() => _h.ProvisionAsync(_h.Props(image: "local/not-here:1", pull: "never")));

        e.ExitCode.ShouldBe(1);
        e.Message.ShouldContain($"image local/not-here:1 is not on the Docker engine at {DockerTestEngine.Host} and Pull is \"never\"");
        (await _h.ContainersAsync()).ShouldBeEmpty();
    }

    [Fact]
    public async Task Provision_ImageNoRegistryHas_FailsWithTheRegistrysReasonAndLeavesNoContainer()
    {
        var closed = ProxyFixtures.FreePortRange(1);
        var image = $"127.0.0.1:{closed}/nothing:9";

        var e = await Should.ThrowAsync<DeployException>(() => _h.ProvisionAsync(_h.Props(image: image)));

        e.ExitCode.ShouldBe(1);
        e.Message.ShouldContain($"image {image} could not be pulled from the registry by the Docker engine at {DockerTestEngine.Host}: ");
        e.Message.ShouldContain("connection refused");
        (await _h.ContainersAsync()).ShouldBeEmpty();
    }

    [Fact]
    public async Task Provision_CommandNotInImage_FailsAtStartAndRemovesTheContainer()
    {
        var e = await Should.ThrowAsync<DeployException>(() => _h.ProvisionAsync(_h.Props(command: ["no-such-program"])));

        e.Message.ShouldContain("starting container");
        e.Message.ShouldContain("no-such-program");
        (await _h.ContainersAsync()).ShouldBeEmpty();
    }

    [Fact]
    public async Task Provision_AfterARunKilledBetweenCreateAndStart_RemovesItsContainerWhichDescribeNeverCounted()
    {
        // What a run killed between the create and the start leaves: a container with every label, never started.
        using var exited = System.Diagnostics.Process.Start("true")!;
        await exited.WaitForExitAsync();
        var killedRun = await CreateUnstartedAsync($"{_h.Group}-0000dead", _h.Port, $"{exited.Id}@{Environment.MachineName}@{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}");
        // And what a live run has between its create and its start: left alone, its port kept.
        var inFlight = await CreateUnstartedAsync($"{_h.Group}-0000a11e", _h.Port + 1, UnstartedLabelOfThisProcess());
        // Also when that run is in another PID namespace of this host (the Action's container on the host network has
        // this host's name; its pid means nothing here): it cannot be checked, so it gets the grace period.
        var inContainer = await CreateUnstartedAsync($"{_h.Group}-0000c0de", _h.Port + 2,
            $"{exited.Id}@{Environment.MachineName}@{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}@4026531999");

        var before = await _h.DescribeAsync();
        var id = await _h.ProvisionAsync(_h.Props(command: ["sleep", "300"]));

        before.ShouldBeEmpty();
        (await _h.InspectAsync(killedRun)).ShouldBeNull();
        (await _h.InspectAsync(inFlight)).ShouldNotBeNull().State.Status.ShouldBe("created");
        (await _h.InspectAsync(inContainer)).ShouldNotBeNull().State.Status.ShouldBe("created");
        var instance = (await _h.DescribeAsync()).ShouldHaveSingleItem();
        instance.Id.ShouldBe(id);
        instance.Endpoint!.Port.ShouldNotBe(_h.Port + 1);
        instance.Endpoint!.Port.ShouldNotBe(_h.Port + 2);
        _h.Events.Lines.ShouldContain(m => m.Contains($"Removed container {killedRun}") && m.Contains("created but never started"));
    }

    private async Task<string> CreateUnstartedAsync(string name, int port, string provisioner)
    {
        var client = await _h.ClientAsync();
        await client.Containers.CreateContainerAsync(new global::Docker.DotNet.Models.CreateContainerParameters
        {
            Name = name,
            Image = DockerTestEngine.Busybox,
            Cmd = ["sleep", "300"],
            Labels = new Dictionary<string, string>
            {
                [ContainerLabels.Plugin] = DockerInstancePlugin.PluginName,
                [$"{ContainerLabels.TagPrefix}{GroupPlanner.GroupTag}"] = _h.Group,
                [$"{ContainerLabels.TagPrefix}{GroupPlanner.HashTag}"] = "c0ffee",
                [ContainerLabels.Endpoint] = $"127.0.0.1:{port}",
                ["deploy.provisioner"] = provisioner,
            },
            HostConfig = new global::Docker.DotNet.Models.HostConfig { NetworkMode = "host" },
        });
        return name;
    }

    private static string UnstartedLabelOfThisProcess()
    {
        var me = Engine.State.ProcessOwner.Current;
        return $"{me.Pid}@{me.Host}@{me.ProcessStart!.Value.ToUnixTimeMilliseconds()}@{me.PidNamespace}";
    }

    [Fact]
    public async Task Describe_WithNewClientsAndOnlyTheSpecsHost_FindsTheContainersAgain()
    {
        var props = _h.Props(command: ["sleep", "300"]);
        var id = await _h.ProvisionAsync(props);

        // As a later CLI process: new clients, no DOCKER_HOST, the engine known only from the spec it validated.
        using var engines = new DockerEngines();
        var later = new DockerInstancePlugin(engines, _h.Events, _ => null);
        later.Validate(props, "$.Properties.Instance.Properties").ShouldBeEmpty();
        var found = await later.DescribeAsync(new Dictionary<string, string> { [GroupPlanner.GroupTag] = _h.Group }, CancellationToken.None);

        found.ShouldHaveSingleItem().Id.ShouldBe(id);
        found[0].Tags.ShouldBe(_h.Tags, ignoreOrder: true);
        found[0].Endpoint!.Port.ShouldBeInRange(_h.Port, _h.Port + 19);
    }

    [Fact]
    public async Task Destroy_Twice_SucceedsAndTheContainerIsGone()
    {
        var id = await _h.ProvisionAsync(_h.Props(command: ["sleep", "300"]));

        await _h.Plugin.DestroyAsync(id, CancellationToken.None);
        await _h.Plugin.DestroyAsync(id, CancellationToken.None);
        await _h.Plugin.DestroyAsync($"{_h.Group}-00000000", CancellationToken.None);

        (await _h.ContainersAsync()).ShouldBeEmpty();
    }

    [Fact]
    public async Task Destroy_NotAContainerName_IsRefusedAsBadInput()
    {
        var e = await Should.ThrowAsync<DeployException>(() => _h.Plugin.DestroyAsync("../images/x", CancellationToken.None));

        e.ExitCode.ShouldBe(2);
    }
}
