using System.Text.Json;
using System.Text.Json.Nodes;
using Deploy.Engine.Commands;
using Deploy.Engine.Diagnostics;
using Deploy.Engine.Plugins.Proxy;
using Deploy.Engine.Plugins.Proxy.Container;
using Deploy.Engine.Plugins.Proxy.Nginx;
using Deploy.Tests.Fixtures;

namespace Deploy.Tests.Plugins.Proxy.Container;

/// <summary><c>deploy proxy boot</c>'s engine part: create a missing proxy container, start a stopped one, leave a running one alone.</summary>
public sealed class ProxyBootTests : IAsyncLifetime
{
    private readonly TestContainers _containers = new();
    private readonly HttpClient _client = ProxyFixtures.NewClient();
    private NginxProxyPlugin _plugin = null!;

    public Task InitializeAsync()
    {
        _plugin = new NginxProxyPlugin(new CommandRunner(), _containers.Engines);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _containers.DisposeAsync();
    }

    [Fact]
    public async Task BootAsync_ContainerMissing_CreatesItWithNoColourLiveAndStartsIt()
    {
        var nginx = NginxContainer.Prepare(_containers);

        var result = await _plugin.BootAsync(nginx.Target(), "shop", CancellationToken.None);

        result.Outcome.ShouldBe(BootOutcome.Created);
        result.Steps.ShouldBe([
            $"created container {nginx.Name} from {DockerTestEngine.Nginx} (network host, restart unless-stopped, label deploy.proxy=shop)",
            $"wrote {NginxContainer.UpstreamFile} with no colour live (the first flip fills it)",
            $"started container {nginx.Name}",
        ]);
        var container = await _containers.InspectAsync(nginx.Name);
        container.State.Running.ShouldBeTrue();
        container.Config.Labels["deploy.proxy"].ShouldBe("shop");
        container.HostConfig.RestartPolicy.Name.ToString().ShouldBe("UnlessStopped");
        container.HostConfig.NetworkMode.ShouldBe("host");
        (await _containers.ReadAsync(nginx.Name, NginxContainer.UpstreamFile))!.ShouldStartWith("# deploy: app=shop colour=- config_sha=-");
        await ProxyFixtures.WaitForPortAsync(nginx.Port);
        (await _client.FetchAsync(nginx.Url)).Status.ShouldBe(502); // nginx runs; no colour is live yet
    }

    [Fact]
    public async Task BootAsync_WithFiles_CopiesThemFromTheSpecFolderBeforeTheFirstStart()
    {
        var nginx = NginxContainer.Prepare(_containers);
        var target = WithFiles(nginx.Target(), "nginx.conf");

        var result = await _plugin.BootAsync(target, "shop", CancellationToken.None);

        result.Outcome.ShouldBe(BootOutcome.Created);
        result.Steps.ShouldContain("copied nginx.conf to /etc/nginx/nginx.conf");
        (await _containers.InspectAsync(nginx.Name)).Mounts.ShouldBeEmpty();
        (await _containers.ReadAsync(nginx.Name, "/etc/nginx/nginx.conf")).ShouldBe(System.IO.File.ReadAllText(Path.Combine(nginx.Folder, "nginx.conf")));
        await ProxyFixtures.WaitForPortAsync(nginx.Port);
        (await _client.FetchAsync(nginx.Url)).Status.ShouldBe(502); // nginx runs on the copied file; no colour is live yet
    }

    [Fact]
    public async Task BootAsync_FileMissing_FailsBeforeCreatingAnything()
    {
        var nginx = NginxContainer.Prepare(_containers);

        var error = await Should.ThrowAsync<DeployException>(() => _plugin.BootAsync(WithFiles(nginx.Target(), "absent.conf"), "shop", CancellationToken.None));

        error.Message.ShouldContain("Boot.Files names");
        error.Message.ShouldContain("nothing was created");
        await Should.ThrowAsync<Docker.DotNet.DockerApiException>(() => _containers.InspectAsync(nginx.Name));
    }

    // Boot without the nginx.conf mount, the file copied in instead (as for a remote host).
    private static ProxyTarget WithFiles(ProxyTarget target, string source)
    {
        var properties = JsonNode.Parse(target.Properties!.Value.GetRawText())!.AsObject();
        properties["Boot"]!["Mounts"] = new JsonArray();
        properties["Boot"]!["Files"] = new JsonObject { ["/etc/nginx/nginx.conf"] = source };
        return target with { Properties = JsonSerializer.SerializeToElement(properties) };
    }

    [Fact]
    public async Task BootAsync_AlreadyRunning_SaysSoAndChangesNothing()
    {
        var nginx = await NginxContainer.StartAsync(_containers);
        var before = await _containers.InspectAsync(nginx.Name);

        var result = await _plugin.BootAsync(nginx.Target(), "shop", CancellationToken.None);

        result.Outcome.ShouldBe(BootOutcome.AlreadyRunning);
        result.Summary.ShouldBe($"proxy container {nginx.Name} is already running on {DockerTestEngine.Host}; nothing changed");
        var after = await _containers.InspectAsync(nginx.Name);
        (after.ID, after.State.StartedAt, after.RestartCount).ShouldBe((before.ID, before.State.StartedAt, before.RestartCount));
    }

    [Fact]
    public async Task BootAsync_Stopped_StartsItAndKeepsTheLiveRoute()
    {
        var nginx = await NginxContainer.StartAsync(_containers);
        var blue = ProxyFixtures.FreePortRange(1);
        await _containers.StartHttpdAsync(blue, "blue-1");
        await _plugin.ApplyAsync(nginx.Target(), new ProxyRoute("shop", "blue", "sha-blue", [$"127.0.0.1:{blue}"], []), CancellationToken.None);
        await _containers.StopAsync(nginx.Name);

        var result = await _plugin.BootAsync(nginx.Target(), "shop", CancellationToken.None);

        result.Outcome.ShouldBe(BootOutcome.Started);
        result.Steps.ShouldBe([$"started container {nginx.Name}"]);
        (await _containers.InspectAsync(nginx.Name)).State.Running.ShouldBeTrue();
        await _client.WaitForBodyAsync(nginx.Url, "blue-1");
        (await _plugin.CurrentAsync(nginx.Target(), CancellationToken.None))!.Colour.ShouldBe("blue");
    }

    [Fact]
    public async Task BootAsync_ProxyConfigBroken_SaysTheContainerStoppedQuotingNginx()
    {
        var nginx = NginxContainer.Prepare(_containers);
        System.IO.File.WriteAllText(Path.Combine(nginx.Folder, "nginx.conf"), "events {}\nhttp { no_such_directive on; }\n");

        var error = await Should.ThrowAsync<DeployException>(() => _plugin.BootAsync(nginx.Target(), "shop", CancellationToken.None));

        error.ExitCode.ShouldBe(1);
        error.Message.ShouldContain($"container {nginx.Name} stopped right after it started");
        error.Message.ShouldContain("unknown directive \"no_such_directive\"");
    }

    [Fact]
    public async Task BootAsync_ImageCannotBePulled_NamesTheImageAndTheEngine()
    {
        var nginx = NginxContainer.Prepare(_containers);
        var image = "127.0.0.1:9/deploy-test/no-such-proxy:1"; // nothing listens on port 9

        var error = await Should.ThrowAsync<DeployException>(() => _plugin.BootAsync(With(nginx.Target(), "Boot", "Image", image), "shop", CancellationToken.None));

        error.ExitCode.ShouldBe(1);
        error.Message.ShouldContain($"the image {image} is not on the Docker engine at {DockerTestEngine.Host} and could not be pulled");
        await Should.ThrowAsync<Docker.DotNet.DockerApiException>(() => _containers.InspectAsync(nginx.Name));
    }

    [Fact]
    public async Task BootAsync_MissingAndNoBoot_SaysToAddBoot()
    {
        var nginx = NginxContainer.Prepare(_containers);
        var properties = JsonNode.Parse(nginx.Properties().GetRawText())!.AsObject();
        properties.Remove("Boot");

        var error = await Should.ThrowAsync<DeployException>(() =>
            _plugin.BootAsync(new ProxyTarget(JsonSerializer.SerializeToElement(properties), nginx.Folder), "shop", CancellationToken.None));

        error.Message.ShouldContain($"there is no container \"{nginx.Name}\"");
        error.Message.ShouldContain("no Boot to create it from");
    }

    [Fact]
    public async Task BootAsync_ProxyOnThisMachine_RefusedNamingWhatToAdd()
    {
        var properties = JsonSerializer.SerializeToElement(new { UpstreamFile = "upstream.conf", Upstream = "app", ReloadCommand = new[] { "true" }, Url = "http://127.0.0.1:8080/" });

        var error = await Should.ThrowAsync<DeployException>(() => _plugin.BootAsync(new ProxyTarget(properties, "."), "shop", CancellationToken.None));

        error.Message.ShouldContain("no container to boot; add \"Container\" and \"Boot\"");
    }

    [Fact]
    public async Task BootAsync_ImageOnlyInARegistry_PullsItFirst()
    {
        var registry = DockerTestEngine.Registry;
        var client = await _containers.ClientAsync();
        var image = $"{registry}/deploy-test/nginx:{Guid.NewGuid():N}";
        await client.Images.TagImageAsync(DockerTestEngine.Nginx, new Docker.DotNet.Models.ImageTagParameters { RepositoryName = image[..image.LastIndexOf(':')], Tag = image[(image.LastIndexOf(':') + 1)..] });
        await client.Images.PushImageAsync(image, new Docker.DotNet.Models.ImagePushParameters(), new Docker.DotNet.Models.AuthConfig(), new Progress<Docker.DotNet.Models.JSONMessage>());
        await client.Images.DeleteImageAsync(image, new Docker.DotNet.Models.ImageDeleteParameters());
        var nginx = NginxContainer.Prepare(_containers);

        var result = await _plugin.BootAsync(With(nginx.Target(), "Boot", "Image", image), "shop", CancellationToken.None);

        result.Outcome.ShouldBe(BootOutcome.Created);
        result.Steps[0].ShouldBe($"pulled {image}");
        (await _containers.InspectAsync(nginx.Name)).State.Running.ShouldBeTrue();
        await ProxyFixtures.WaitForPortAsync(nginx.Port);
        (await _client.FetchAsync(nginx.Url)).Status.ShouldBe(502); // nginx serves; no colour is live yet
        await client.Images.DeleteImageAsync(image, new Docker.DotNet.Models.ImageDeleteParameters { Force = true }); // the tag only: the layers are local/nginx:1's
    }

    private static ProxyTarget With(ProxyTarget target, string section, string name, string value)
    {
        var properties = JsonNode.Parse(target.Properties!.Value.GetRawText())!.AsObject();
        properties[section]![name] = value;
        return target with { Properties = JsonSerializer.SerializeToElement(properties) };
    }
}
