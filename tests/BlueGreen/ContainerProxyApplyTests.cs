using System.Text.Json.Nodes;
using Deploy.Tests.Fixtures;
using Deploy.Tests.Support;

namespace Deploy.Tests.BlueGreen;

/// <summary>
/// The CLI end to end with nginx in a container: <c>deploy proxy boot</c> starts it, <c>apply</c> deploys hello
/// processes and flips nginx inside its container, with every health check, verify and flip check made from there.
/// </summary>
[Collection(HelloApp.Collection)]
public sealed class ContainerProxyApplyTests(HelloApp hello) : IAsyncLifetime
{
    private readonly TempDir _dir = new();
    private readonly TestContainers _containers = new();
    private readonly HttpClient _client = ProxyFixtures.NewClient();
    private CliRunner _cli = null!;
    private NginxContainer _nginx = null!;
    private string _spec = "";

    public Task InitializeAsync()
    {
        _nginx = NginxContainer.Prepare(_containers);
        _spec = WriteSpec(JsonNode.Parse(_nginx.Properties().GetRawText())!.AsObject());
        _cli = new CliRunner(_dir.Path);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task ProxyBootThenApply_TrafficThroughTheContainerReachesEachNewVersion()
    {
        var boot = await _cli.RunAsync("proxy", "boot", _spec);
        var again = await _cli.RunAsync("proxy", "boot", _spec);
        var first = await _cli.RunAsync("apply", _spec, "--var", "version=1");
        first.ExitCode.ShouldBe(0, $"{boot}\n{again}\n{first}");
        var body1 = (await _client.FetchAsync(new Uri(_nginx.Url, "version"))).Body;
        var second = await _cli.RunAsync("apply", _spec, "--var", "version=2");
        second.ExitCode.ShouldBe(0, second.ToString());
        var body2 = (await _client.FetchAsync(new Uri(_nginx.Url, "version"))).Body;
        var broken = await _cli.RunAsync("apply", _spec, "--var", "version=3", "--var", "fail_health=1");
        var body3 = (await _client.FetchAsync(new Uri(_nginx.Url, "version"))).Body;

        boot.ExitCode.ShouldBe(0, boot.ToString());
        boot.Stdout.ShouldContain($"wrote {NginxContainer.UpstreamFile} with no colour live");
        boot.Stdout.ShouldContain($"proxy container {_nginx.Name} created and started on {DockerTestEngine.Host}");
        again.ExitCode.ShouldBe(0, again.ToString());
        again.Stdout.ShouldContain($"proxy container {_nginx.Name} is already running");
        first.ExitCode.ShouldBe(0, first.ToString());
        second.ExitCode.ShouldBe(0, second.ToString());
        (body1, body2).ShouldBe(("1", "2"));
        // The health checks ran inside nginx's container, and said so; version 2 stayed live.
        broken.ExitCode.ShouldBe(1, broken.ToString());
        broken.Stderr.ShouldContain($"GET /healthz from container {_nginx.Name} last answered 503");
        body3.ShouldBe("2");
        (await _containers.ReadAsync(_nginx.Name, NginxContainer.UpstreamFile))!.ShouldContain("colour=green");
    }

    [Fact]
    public async Task ProxyBoot_BootWithRelativeMount_Exit2WithThePathInTheSpec()
    {
        var properties = JsonNode.Parse(_nginx.Properties().GetRawText())!.AsObject();
        properties["Boot"]!["Mounts"] = new JsonArray("nginx.conf:/etc/nginx/nginx.conf:ro");
        properties["Boot"]!["Pull"] = "always";
        var spec = WriteSpec(properties, "bad.json");

        var result = await _cli.RunAsync("proxy", "boot", spec);

        result.ExitCode.ShouldBe(2, result.ToString());
        result.Stderr.ShouldContain("error DEPLOY1007: $.Proxy.Properties.Boot.Mounts[0]: the source \"nginx.conf\" must be an absolute path on the Docker host");
        result.Stderr.ShouldContain("error DEPLOY1016: $.Proxy.Properties.Boot.Pull: unknown field \"Pull\"");
        await Should.ThrowAsync<Docker.DotNet.DockerApiException>(() => _containers.InspectAsync(_nginx.Name));
    }

    [Fact]
    public async Task ProxyBoot_ProxyFileApp_Exit1SayingThereIsNoContainer()
    {
        var spec = _dir.Write("quickstart.json", File.ReadAllText(Path.Combine(Repo.Root, "examples", "quickstart", "app.json")));

        var result = await _cli.RunAsync("proxy", "boot", spec);

        result.ExitCode.ShouldBe(1, result.ToString());
        result.Stderr.ShouldContain("proxy-file has no container to boot");
    }

    // A short health deadline: the broken version's failure is what the test waits for.
    private string WriteSpec(JsonObject properties, string name = "shop.json")
    {
        var spec = JsonNode.Parse(ShopSpec.Json(hello.Dll, ProxyFixtures.FreePortRange(ShopSpec.PortCount),
            new JsonObject { ["Plugin"] = "proxy-nginx", ["Properties"] = properties }, verifyDuration: "1s", size: 1))!;
        spec["Health"]!["Deadline"] = "3s";
        return _dir.Write(name, spec.ToJsonString());
    }

    public async Task DisposeAsync()
    {
        await _cli.RunAsync("destroy", _spec, "--yes");
        ProcessScan.KillAll(_dir.Path);
        _client.Dispose();
        await _containers.DisposeAsync();
        _dir.Dispose();
    }
}
