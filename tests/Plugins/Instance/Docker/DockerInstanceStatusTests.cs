using Deploy.Engine.Plugins;
using Deploy.Engine.Docker;
using Deploy.Engine.Planning;
using Deploy.Engine.Plugins.Instance.Docker;
using Deploy.Tests.Fixtures;

namespace Deploy.Tests.Plugins.Instance.Docker;

/// <summary>What the <c>instance-docker</c> plugin reads back from a real engine: health, logs, secrets, containers.</summary>
public sealed class DockerInstanceStatusTests : IAsyncLifetime
{
    private const string Secret = "s3cret-0f9e8d";
    private readonly DockerHarness _h = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _h.DisposeAsync().AsTask();

    [Fact]
    public async Task Provision_EnvSecret_ReachesTheContainerOnlyAndIsMaskedInTheLogTail()
    {
        var id = await _h.ProvisionAsync(_h.Props(command: ["sh", "-c", "echo starting; echo \"token=$API_TOKEN\" >&2; echo ready; exec sleep 300"],
            env: new Dictionary<string, string> { ["API_TOKEN"] = Secret, ["MODE"] = "plain" }), secrets: [Secret]);

        var container = (await _h.InspectAsync(id)).ShouldNotBeNull();
        container.Config.Env.ShouldContain($"API_TOKEN={Secret}");
        container.Config.Labels.ShouldAllBe(l => !l.Key.Contains(Secret) && !l.Value.Contains(Secret));
        container.Config.Labels[ContainerLabels.SecretEnv].ShouldBe("API_TOKEN");
        (await DockerHarness.EventuallyAsync(() => _h.Plugin.LogTailAsync(id, 10, CancellationToken.None).ContinueWith(t => t.Result is { } tail && tail.Contains("ready") && tail.Contains("token=")))).ShouldBeTrue();
        // stdout and stderr are copied by separate readers in dockerd, so their relative order is not kept.
        (await _h.Plugin.LogTailAsync(id, 10, CancellationToken.None))!.Split('\n').ShouldBe(["starting", "token=***", "ready"], ignoreOrder: true);

        // A later process never saw the secret: the label names the variable whose value it masks.
        using var engines = new DockerEngines();
        var later = _h.NewPlugin(engines);
        (await later.LogTailAsync(id, 3, CancellationToken.None))!.Split('\n').ShouldBe(["starting", "token=***", "ready"], ignoreOrder: true);
    }

    [Fact]
    public async Task Provision_SecretInATagOrLabel_NeverReachesTheLabels()
    {
        var tags = new Dictionary<string, string>(_h.Tags) { ["note"] = $"key {Secret}" };
        var id = await _h.Plugin.ProvisionAsync(new Engine.Plugins.Instance.InstanceSpec(_h.Props(command: ["sleep", "300"]), tags) { Secrets = [Secret] },
            CancellationToken.None);

        (await _h.InspectAsync(id))!.Config.Labels[$"{ContainerLabels.TagPrefix}note"].ShouldBe("key ***");
        var e = await Should.ThrowAsync<Engine.Diagnostics.DeployException>(() => _h.ProvisionAsync(
            _h.Props(command: ["sleep", "300"], labels: new Dictionary<string, string> { ["com.example.key"] = Secret }), secrets: [Secret]));
        e.ExitCode.ShouldBe(2);
        e.Message.ShouldNotContain(Secret);
        e.Diagnostics.Single().Path.ShouldBe("$.Properties.Instance.Properties.Labels['com.example.key']");
        (await _h.ContainersAsync()).Count.ShouldBe(1);
    }

    [Fact]
    public async Task Health_ContainerThatExitsAtOnce_IsNotRunning()
    {
        var id = await _h.ProvisionAsync(_h.Props(command: ["sh", "-c", "echo bye; exit 3"], restartPolicy: "no"));

        (await DockerHarness.EventuallyAsync(async () => await _h.Plugin.HealthAsync(id, CancellationToken.None) == InstanceHealth.NotRunning)).ShouldBeTrue();
        (await _h.DescribeAsync()).ShouldHaveSingleItem().Id.ShouldBe(id); // still described, so the group replaces it
        (await _h.Plugin.LogTailAsync(id, 5, CancellationToken.None)).ShouldBe("bye");
    }

    [Fact]
    public async Task Health_WithHealthcheck_BecomesHealthyOnceTheAppServes()
    {
        var id = await _h.ProvisionAsync(_h.Props(command: DockerHarness.Httpd(),
            healthcheck: new { Test = new[] { "CMD-SHELL", "printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc 127.0.0.1 {{port}} | grep -q '200 OK'" }, Interval = "1s", Timeout = "1s", Retries = 3 }));

        (await DockerHarness.EventuallyAsync(async () => await _h.Plugin.HealthAsync(id, CancellationToken.None) == InstanceHealth.Healthy)).ShouldBeTrue();
    }

    [Fact]
    public async Task Health_FailingHealthcheck_BecomesUnhealthy()
    {
        var id = await _h.ProvisionAsync(_h.Props(command: ["sleep", "300"],
            healthcheck: new { Test = new[] { "CMD-SHELL", "exit 1" }, Interval = "1s", Timeout = "1s", Retries = 1 }));

        (await DockerHarness.EventuallyAsync(async () => await _h.Plugin.HealthAsync(id, CancellationToken.None) == InstanceHealth.Unhealthy)).ShouldBeTrue();
    }

    [Fact]
    public async Task Health_WithoutHealthcheckThenDestroyed_IsNoHealthcheckThenGone()
    {
        var id = await _h.ProvisionAsync(_h.Props(command: ["sleep", "300"]));

        (await _h.Plugin.HealthAsync(id, CancellationToken.None)).ShouldBe(InstanceHealth.Unchecked);
        await _h.Plugin.DestroyAsync(id, CancellationToken.None);
        (await _h.Plugin.HealthAsync(id, CancellationToken.None)).ShouldBe(InstanceHealth.Gone);
        (await _h.Plugin.LogTailAsync(id, 5, CancellationToken.None)).ShouldBeNull();
    }

    [Fact]
    public async Task Containers_ListsShortIdNameImageStateHealthAndEndpoint()
    {
        var id = await _h.ProvisionAsync(_h.Props(command: ["sleep", "300"]));

        var info = (await _h.Plugin.ContainersAsync(new Dictionary<string, string> { [GroupPlanner.GroupTag] = _h.Group }, CancellationToken.None))
            .ShouldHaveSingleItem();

        var container = (await _h.InspectAsync(id))!;
        info.Name.ShouldBe(id);
        info.Id.ShouldBe(container.ID[..12]);
        info.Image.ShouldBe(DockerTestEngine.Busybox);
        info.ImageId.ShouldBe(container.Image);
        info.State.ShouldBe("running");
        info.Health.ShouldBe(InstanceHealth.Unchecked);
        info.Endpoint.ShouldBe((await _h.DescribeAsync()).Single().Endpoint);
    }
}
