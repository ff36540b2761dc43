using System.Diagnostics;
using System.Text.Json;
using Deploy.Engine.Commands;
using Deploy.Engine.Diagnostics;
using Deploy.Engine.Plugins.Proxy;
using Deploy.Engine.Plugins.Proxy.HAProxy;
using Deploy.Tests.Fixtures;
using Xunit.Abstractions;

namespace Deploy.Tests.Plugins.Proxy.HAProxy;

public sealed class HAProxyProxyPluginTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly HAProxyProxyPlugin _plugin = new(new CommandRunner());
    private readonly HttpClient _client = ProxyFixtures.NewClient();
    private HaproxyServer _haproxy = null!;

    public async Task InitializeAsync() => _haproxy = await HaproxyServer.StartAsync();

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _haproxy.DisposeAsync();
    }

    [Fact]
    public async Task ApplyAsync_GreenServers_RequestsReachThemAndCurrentReadsTheColourBack()
    {
        await using var green = TestBackend.Start("green-1");
        await using var blue = TestBackend.Start("blue-1");

        await _plugin.ApplyAsync(_haproxy.Target(), Route(colour: "green", servers: [green.Address], backups: [blue.Address]), CancellationToken.None);

        (await _client.FetchAsync(_haproxy.Url)).ShouldBe((200, "green-1"));
        var current = await _plugin.CurrentAsync(_haproxy.Target(), CancellationToken.None);
        current.ShouldNotBeNull();
        (current.App, current.Colour, current.ConfigHash).ShouldBe(("shop", "green", "sha-green"));
        current.Servers.ShouldBe([green.Address]);
        current.Backups.ShouldBe([blue.Address]);
    }

    [Fact]
    public async Task ApplyAsync_FlipFromBlueToGreen_NextRequestReachesGreen()
    {
        await using var blue = TestBackend.Start("blue-1");
        await using var green = TestBackend.Start("green-1");
        await _plugin.ApplyAsync(_haproxy.Target(), Route(colour: "blue", servers: [blue.Address]), CancellationToken.None);
        (await _client.FetchAsync(_haproxy.Url)).Body.ShouldBe("blue-1");

        var clock = Stopwatch.StartNew();
        await _plugin.ApplyAsync(_haproxy.Target(), Route(colour: "green", servers: [green.Address], backups: [blue.Address]), CancellationToken.None);
        var applied = clock.Elapsed;

        (await _client.FetchAsync(_haproxy.Url)).ShouldBe((200, "green-1"));
        output.WriteLine($"haproxy flip: ApplyAsync (write, haproxy -c, USR2, new worker up) took {applied.TotalMilliseconds:0} ms; first request after it reached green");
    }

    [Fact]
    public async Task ApplyAsync_PrimaryFailsHealthChecks_BackupTakesOver()
    {
        await using var green = TestBackend.Start("green-1");
        await using var blue = TestBackend.Start("blue-1");
        await _plugin.ApplyAsync(_haproxy.Target(), Route(colour: "green", servers: [green.Address], backups: [blue.Address]), CancellationToken.None);
        (await _client.FetchAsync(_haproxy.Url)).Body.ShouldBe("green-1");

        green.Status = 500;
        var takeover = await _client.WaitForBodyAsync(_haproxy.Url, "blue-1", TimeSpan.FromSeconds(5));

        output.WriteLine($"haproxy: backup took over {takeover.TotalMilliseconds:0} ms after the primary started failing");
        (await _client.FetchAsync(_haproxy.Url)).ShouldBe((200, "blue-1"));
    }

    [Fact]
    public async Task ApplyAsync_ConfigHAProxyRejects_RestoresPreviousFileAndKeepsServingBlue()
    {
        await using var blue = TestBackend.Start("blue-1");
        await _plugin.ApplyAsync(_haproxy.Target(), Route(colour: "blue", servers: [blue.Address]), CancellationToken.None);
        var before = await System.IO.File.ReadAllBytesAsync(_haproxy.ConfigFile);

        var error = await Should.ThrowAsync<DeployException>(
            () => _plugin.ApplyAsync(_haproxy.Target(), Route(colour: "green", servers: ["127.0.0.1:99999"]), CancellationToken.None));

        error.Diagnostics.Single().Code.ShouldBe(Errors.PluginFailed);
        error.Message.ShouldContain("was restored");
        (await System.IO.File.ReadAllBytesAsync(_haproxy.ConfigFile)).ShouldBe(before);
        (await _client.FetchAsync(_haproxy.Url)).Body.ShouldBe("blue-1");
    }

    [Fact]
    public async Task ApplyAsync_NoLiveColour_BackendWithoutServersAnswers503()
    {
        await _plugin.ApplyAsync(_haproxy.Target(), Route(colour: null, servers: []), CancellationToken.None);

        (await _client.FetchAsync(_haproxy.Url)).Status.ShouldBe(503);
        (await _plugin.CurrentAsync(_haproxy.Target(), CancellationToken.None))!.Colour.ShouldBeNull();
    }

    [Fact]
    public void Validate_WrongProperties_ReportsEachWithItsPath()
    {
        var properties = JsonSerializer.SerializeToElement(new { ConfigFile = 3, Backend = "a;b", HealthPath = "healthz", Url = "http://127.0.0.1:8080/" });

        var errors = _plugin.Validate(properties, "$.Proxy.Properties").Select(e => (e.Code, e.Path)).ToList();

        errors.ShouldBe(
        [
            (Errors.WrongType, "$.Proxy.Properties.ConfigFile"),
            (Errors.InvalidValue, "$.Proxy.Properties.Backend"),
            (Errors.Missing, "$.Proxy.Properties.ReloadCommand"),
            (Errors.InvalidValue, "$.Proxy.Properties.HealthPath"),
        ], ignoreOrder: true);
    }

    private static ProxyRoute Route(string? colour, IReadOnlyList<string> servers, IReadOnlyList<string>? backups = null) =>
        new(App: "shop", Colour: colour, ConfigHash: colour is null ? null : "sha-" + colour, Servers: servers, Backups: backups ?? []);
}
