using Deploy.Engine.Commands;
using Deploy.Engine.Plugins.Proxy;
using Deploy.Engine.Plugins.Proxy.HAProxy;
using Deploy.Engine.Probes;
using Deploy.Tests.Fixtures;

namespace Deploy.Tests.Plugins.Proxy.Container;

/// <summary>proxy-haproxy with Container: the backend file lives in HAProxy's container, checked and reloaded there.</summary>
public sealed class ContainerHaproxyFlipTests : IAsyncLifetime
{
    private readonly TestContainers _containers = new();
    private readonly HttpClient _client = ProxyFixtures.NewClient();
    private HAProxyProxyPlugin _plugin = null!;
    private HaproxyContainer _haproxy = null!;
    private string _blue = "";
    private string _green = "";

    public async Task InitializeAsync()
    {
        await HaproxyContainer.EnsureImageAsync(await _containers.ClientAsync());
        _plugin = new HAProxyProxyPlugin(new CommandRunner(), _containers.Engines);
        _haproxy = await HaproxyContainer.StartAsync(_containers);
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
        (await _client.FetchAsync(_haproxy.Url)).Status.ShouldBe(503); // booted with no colour live

        await _plugin.ApplyAsync(_haproxy.Target(), Route("blue", [_blue]), CancellationToken.None);
        await _client.WaitForBodyAsync(_haproxy.Url, "blue-1");
        await _plugin.ApplyAsync(_haproxy.Target(), Route("green", [_green], backups: [_blue]), CancellationToken.None);

        await _client.WaitForBodyAsync(_haproxy.Url, "green-1");
        (await _containers.ReadAsync(_haproxy.Name, HaproxyContainer.ConfigFile))!.ShouldStartWith("# deploy: app=shop colour=green");
        var current = await new HAProxyProxyPlugin(new CommandRunner(), _containers.Engines).CurrentAsync(_haproxy.Target(), CancellationToken.None);
        (current!.Colour, current.Servers.Single(), current.Backups.Single()).ShouldBe(("green", _green, _blue));
    }

    [Fact]
    public async Task Probe_WithContainer_GetsFromInsideHaproxysContainer()
    {
        var probe = _plugin.Probe(_haproxy.Target());

        probe.ShouldBeOfType<ContainerHttpProbe>().Where.ShouldBe($"container {_haproxy.Name}");
        (await probe.GetAsync($"http://{_green}/", TimeSpan.FromSeconds(5), CancellationToken.None)).ShouldBe(new ProbeResult(200, "green-1", null));
    }

    private static ProxyRoute Route(string colour, IReadOnlyList<string> servers, IReadOnlyList<string>? backups = null) =>
        new("shop", colour, "sha-" + colour, servers, backups ?? []);
}
