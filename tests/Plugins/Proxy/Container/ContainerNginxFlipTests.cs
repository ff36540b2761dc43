using Deploy.Engine.Commands;
using Deploy.Engine.Diagnostics;
using Deploy.Engine.Plugins.Proxy;
using Deploy.Engine.Plugins.Proxy.Nginx;
using Deploy.Tests.Fixtures;

namespace Deploy.Tests.Plugins.Proxy.Container;

/// <summary>proxy-nginx with Container: the upstream file lives in nginx's container, and nginx is tested and reloaded there.</summary>
public sealed class ContainerNginxFlipTests : IAsyncLifetime
{
    private readonly TestContainers _containers = new();
    private readonly HttpClient _client = ProxyFixtures.NewClient();
    private NginxProxyPlugin _plugin = null!;
    private NginxContainer _nginx = null!;
    private string _blue = "";
    private string _green = "";

    public async Task InitializeAsync()
    {
        _plugin = new NginxProxyPlugin(new CommandRunner(), _containers.Engines);
        _nginx = await NginxContainer.StartAsync(_containers);
        var ports = ProxyFixtures.FreePortRange(2);
        await _containers.StartHttpdAsync(ports, "blue-1");
        await _containers.StartHttpdAsync(ports + 1, "green-1");
        (_blue, _green) = ($"127.0.0.1:{ports}", $"127.0.0.1:{ports + 1}");
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _containers.DisposeAsync();
    }

    [Fact]
    public async Task ApplyAsync_FlipFromBlueToGreen_FileInsideTheContainerAndTrafficMoves()
    {
        // Without a pid file to watch, ApplyAsync returns once the reload was signalled; nginx's old worker may answer
        // a moment longer (the engine's FlipCheck waits for the new colour through the proxy).
        await _plugin.ApplyAsync(_nginx.Target(), Route("blue", [_blue]), CancellationToken.None);
        await _client.WaitForBodyAsync(_nginx.Url, "blue-1");

        await _plugin.ApplyAsync(_nginx.Target(), Route("green", [_green], backups: [_blue]), CancellationToken.None);

        await _client.WaitForBodyAsync(_nginx.Url, "green-1");
        var file = await _containers.ReadAsync(_nginx.Name, NginxContainer.UpstreamFile);
        file.ShouldNotBeNull();
        file.ShouldStartWith("# deploy: app=shop colour=green");
        file.ShouldContain($"server {_green} max_fails=1 fail_timeout=10s;");
        file.ShouldContain($"server {_blue} max_fails=0 backup;");
    }

    [Fact]
    public async Task ApplyAsync_TestCommandRejectsTheConfig_PreviousFileRestoredByteForByteAndTrafficUnchanged()
    {
        await _plugin.ApplyAsync(_nginx.Target(), Route("blue", [_blue]), CancellationToken.None);
        await _client.WaitForBodyAsync(_nginx.Url, "blue-1");
        var before = await _containers.ReadBytesAsync(_nginx.Name, NginxContainer.UpstreamFile);

        // nginx itself rejects the check: an unknown directive given with -g.
        var error = await Should.ThrowAsync<DeployException>(() => _plugin.ApplyAsync(
            _nginx.Target(testCommand: ["nginx", "-t", "-q", "-g", "no_such_directive on;"]), Route("green", [_green]), CancellationToken.None));

        error.ExitCode.ShouldBe(1);
        error.Message.ShouldContain("the new configuration was rejected");
        error.Message.ShouldContain("no_such_directive");
        error.Message.ShouldContain($"the previous {NginxContainer.UpstreamFile} in container {_nginx.Name} on {DockerTestEngine.Host} was restored");
        (await _containers.ReadBytesAsync(_nginx.Name, NginxContainer.UpstreamFile)).ShouldBe(before);
        (await _client.FetchAsync(_nginx.Url)).ShouldBe((200, "blue-1"));
    }

    [Fact]
    public async Task ApplyAsync_ReloadFailsWhereThereWasNoFile_FileRemovedAgain()
    {
        var path = "/etc/nginx/deploy/other.conf";
        var target = _nginx.Target(reloadCommand: ["nginx", "-s", "no-such-signal"], upstreamFile: path);

        var error = await Should.ThrowAsync<DeployException>(() => _plugin.ApplyAsync(target, Route("green", [_green]), CancellationToken.None));

        error.Message.ShouldContain("the reload failed");
        (await _containers.ReadAsync(_nginx.Name, path)).ShouldBeNull();
    }

    [Fact]
    public async Task CurrentAsync_FreshPluginInstance_ReadsTheRouteFromTheContainersFile()
    {
        await _plugin.ApplyAsync(_nginx.Target(), Route("green", [_green], backups: [_blue]), CancellationToken.None);

        using var engines = new Engine.Docker.DockerEngines();
        var current = await new NginxProxyPlugin(new CommandRunner(), engines).CurrentAsync(_nginx.Target(), CancellationToken.None);

        current.ShouldNotBeNull();
        (current.App, current.Colour, current.ConfigHash).ShouldBe(("shop", "green", "sha-green"));
        current.Servers.ShouldBe([_green]);
        current.Backups.ShouldBe([_blue]);
    }

    [Fact]
    public async Task CurrentAsync_RightAfterBoot_NoColourIsLive()
    {
        var current = await _plugin.CurrentAsync(_nginx.Target(), CancellationToken.None);

        current.ShouldNotBeNull();
        (current.App, current.Colour).ShouldBe(("shop", null));
        current.Servers.ShouldBeEmpty();
        (await _client.FetchAsync(_nginx.Url)).Status.ShouldBe(502);
    }

    [Fact]
    public async Task ApplyAndCurrent_ContainerMissing_SayWhichContainerOnWhichEngineAndHowToBootIt()
    {
        var missing = _containers.NewName("missing");

        var apply = await Should.ThrowAsync<DeployException>(() =>
            _plugin.ApplyAsync(_nginx.Target(container: missing), Route("green", [_green]), CancellationToken.None));
        var current = await Should.ThrowAsync<DeployException>(() => _plugin.CurrentAsync(_nginx.Target(container: missing), CancellationToken.None));

        foreach (var error in new[] { apply, current })
        {
            error.ExitCode.ShouldBe(1);
            error.Message.ShouldContain($"proxy-nginx: there is no container \"{missing}\" on the Docker engine at {DockerTestEngine.Host}");
            error.Message.ShouldContain("deploy proxy boot SPEC");
        }
    }

    [Fact]
    public async Task ApplyAsync_ContainerStopped_SaysItIsNotRunningAndHowToStartIt()
    {
        await _plugin.ApplyAsync(_nginx.Target(), Route("blue", [_blue]), CancellationToken.None);
        var before = await _containers.ReadBytesAsync(_nginx.Name, NginxContainer.UpstreamFile);
        await _containers.StopAsync(_nginx.Name);

        var error = await Should.ThrowAsync<DeployException>(() => _plugin.ApplyAsync(_nginx.Target(), Route("green", [_green]), CancellationToken.None));

        error.Message.ShouldContain($"the container \"{_nginx.Name}\" on the Docker engine at {DockerTestEngine.Host} is not running");
        (await _containers.ReadBytesAsync(_nginx.Name, NginxContainer.UpstreamFile)).ShouldBe(before);
    }

    [Fact]
    public async Task ApplyAsync_UpstreamFileIsASingleFileMount_SaysToMountItsFolderInstead()
    {
        var other = NginxContainer.Prepare(_containers);
        var mounted = Path.Combine(other.Folder, "upstream.conf");
        await System.IO.File.WriteAllTextAsync(mounted, "upstream app { server 127.0.0.1:9 down; }\n");
        var target = other.Target(moreMounts: [$"{mounted}:{NginxContainer.UpstreamFile}"]);
        await _plugin.BootAsync(target, "shop", CancellationToken.None);

        var error = await Should.ThrowAsync<DeployException>(() => _plugin.ApplyAsync(target, Route("green", [_green]), CancellationToken.None));

        error.Message.ShouldContain($"{NginxContainer.UpstreamFile} in container {other.Name} is a bind mount of a single file");
        error.Message.ShouldContain("mount its folder instead (e.g. \"/srv/shop/deploy:/etc/nginx/deploy\")");
        (await System.IO.File.ReadAllTextAsync(mounted)).ShouldBe("upstream app { server 127.0.0.1:9 down; }\n");
    }

    private static ProxyRoute Route(string colour, IReadOnlyList<string> servers, IReadOnlyList<string>? backups = null) =>
        new("shop", colour, "sha-" + colour, servers, backups ?? []);
}
