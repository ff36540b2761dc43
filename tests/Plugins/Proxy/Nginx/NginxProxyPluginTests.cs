using System.Diagnostics;
using System.Text.Json;
using Deploy.Engine.Commands;
using Deploy.Engine.Diagnostics;
using Deploy.Engine.Plugins.Proxy;
using Deploy.Engine.Plugins.Proxy.Nginx;
using Deploy.Tests.Fixtures;
using Xunit.Abstractions;

namespace Deploy.Tests.Plugins.Proxy.Nginx;

public sealed class NginxProxyPluginTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly NginxProxyPlugin _plugin = new(new CommandRunner());
    private readonly HttpClient _client = ProxyFixtures.NewClient();
    private NginxServer _nginx = null!;

    public async Task InitializeAsync() => _nginx = await NginxServer.StartAsync();

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _nginx.DisposeAsync();
    }

    [Fact]
    public async Task ApplyAsync_GreenServers_RequestsReachThemAndCurrentReadsTheColourBack()
    {
        await using var green = TestBackend.Start("green-1");

        await _plugin.ApplyAsync(_nginx.Target(), Route(colour: "green", servers: [green.Address]), CancellationToken.None);

        (await _client.FetchAsync(_nginx.Url)).ShouldBe((200, "green-1"));
        var current = await _plugin.CurrentAsync(_nginx.Target(), CancellationToken.None);
        current.ShouldNotBeNull();
        (current.App, current.Colour, current.ConfigHash).ShouldBe(("shop", "green", "sha-green"));
        current.Servers.ShouldBe([green.Address]);
        current.Backups.ShouldBeEmpty();
    }

    [Fact]
    public async Task ApplyAsync_FlipFromBlueToGreen_NextRequestReachesGreen()
    {
        await using var blue = TestBackend.Start("blue-1");
        await using var green = TestBackend.Start("green-1");
        await _plugin.ApplyAsync(_nginx.Target(), Route(colour: "blue", servers: [blue.Address]), CancellationToken.None);
        (await _client.FetchAsync(_nginx.Url)).Body.ShouldBe("blue-1");

        var clock = Stopwatch.StartNew();
        await _plugin.ApplyAsync(_nginx.Target(), Route(colour: "green", servers: [green.Address], backups: [blue.Address]), CancellationToken.None);
        var applied = clock.Elapsed;

        // ApplyAsync waits for nginx's new workers, so the very next request already goes to green.
        (await _client.FetchAsync(_nginx.Url)).ShouldBe((200, "green-1"));
        output.WriteLine($"nginx flip: ApplyAsync (write, nginx -t, reload, new workers up) took {applied.TotalMilliseconds:0} ms; first request after it reached green");
        (await _plugin.CurrentAsync(_nginx.Target(), CancellationToken.None))!.Backups.ShouldBe([blue.Address]);
    }

    [Fact]
    public async Task ApplyAsync_TenFlipsUnderSteadyRequests_NoRequestFails()
    {
        await using var blue = TestBackend.Start("blue-1");
        await using var green = TestBackend.Start("green-1");
        await _plugin.ApplyAsync(_nginx.Target(), Route(colour: "blue", servers: [blue.Address]), CancellationToken.None);
        using var stop = new CancellationTokenSource();
        var failures = new List<string>();
        var served = 0;
        var load = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    var (status, body) = await _client.FetchAsync(_nginx.Url);
                    if (status != 200) { failures.Add($"{status} {body}"); }
                }
                catch (HttpRequestException e)
                {
                    failures.Add(e.Message);
                }

                served++;
            }
        });

        for (var i = 0; i < 10; i++)
        {
            var (live, standby) = i % 2 == 0 ? (green, blue) : (blue, green);
            await _plugin.ApplyAsync(_nginx.Target(), Route(colour: live.Name, servers: [live.Address], backups: [standby.Address]), CancellationToken.None);
        }

        await stop.CancelAsync();
        await load;
        output.WriteLine($"nginx: {served} requests during 10 flips, {failures.Count} failed");
        failures.ShouldBeEmpty();
        served.ShouldBeGreaterThan(10);
    }

    [Fact]
    public async Task ApplyAsync_PrimaryAnswers500_BackupServesTheRequest()
    {
        await using var green = TestBackend.Start("green-1");
        await using var blue = TestBackend.Start("blue-1");
        await _plugin.ApplyAsync(_nginx.Target(), Route(colour: "green", servers: [green.Address], backups: [blue.Address]), CancellationToken.None);
        // Without PidFile the plugin returns once nginx was told to reload; an old worker may answer a moment longer.
        await _client.WaitForBodyAsync(_nginx.Url, "green-1");
        var before = green.Requests;

        green.Status = 500;

        (await _client.FetchAsync(_nginx.Url)).ShouldBe((200, "blue-1"));
        green.Requests.ShouldBe(before + 1);
    }

    [Fact]
    public async Task ApplyAsync_PrimaryStopped_BackupServesTheRequest()
    {
        var green = TestBackend.Start("green-1");
        await using var blue = TestBackend.Start("blue-1");
        await _plugin.ApplyAsync(_nginx.Target(), Route(colour: "green", servers: [green.Address], backups: [blue.Address]), CancellationToken.None);

        await green.DisposeAsync();

        (await _client.FetchAsync(_nginx.Url)).ShouldBe((200, "blue-1"));
    }

    [Fact]
    public async Task ApplyAsync_ConfigNginxRejects_RestoresPreviousFileAndKeepsServingBlue()
    {
        await using var blue = TestBackend.Start("blue-1");
        await _plugin.ApplyAsync(_nginx.Target(), Route(colour: "blue", servers: [blue.Address]), CancellationToken.None);
        var before = await System.IO.File.ReadAllBytesAsync(_nginx.UpstreamFile);

        // Port 99999 passes the address check but nginx -t rejects it ("invalid port").
        var error = await Should.ThrowAsync<DeployException>(
            () => _plugin.ApplyAsync(_nginx.Target(), Route(colour: "green", servers: ["127.0.0.1:99999"]), CancellationToken.None));

        error.Diagnostics.Single().Code.ShouldBe(Errors.PluginFailed);
        error.Message.ShouldContain("invalid port");
        error.Message.ShouldContain("was restored");
        (await System.IO.File.ReadAllBytesAsync(_nginx.UpstreamFile)).ShouldBe(before);
        (await _client.FetchAsync(_nginx.Url)).Body.ShouldBe("blue-1");
        (await _plugin.CurrentAsync(_nginx.Target(), CancellationToken.None))!.Colour.ShouldBe("blue");
    }

    [Fact]
    public async Task ApplyAsync_TestCommandFailsOnFirstFlip_RemovesTheNewFileInsteadOfLeavingIt()
    {
        System.IO.File.Delete(_nginx.UpstreamFile);

        var error = await Should.ThrowAsync<DeployException>(() => _plugin.ApplyAsync(
            _nginx.Target(testCommand: ["sh", "-c", "echo 'nginx: [emerg] simulated' >&2; exit 1"]), Route(colour: "green", servers: ["127.0.0.1:18101"]), CancellationToken.None));

        error.Message.ShouldContain("nginx: [emerg] simulated");
        System.IO.File.Exists(_nginx.UpstreamFile).ShouldBeFalse();
        (await _plugin.CurrentAsync(_nginx.Target(), CancellationToken.None)).ShouldBeNull();
    }

    [Fact]
    public async Task ApplyAsync_ReloadCommandFails_RestoresPreviousFile()
    {
        var before = await System.IO.File.ReadAllBytesAsync(_nginx.UpstreamFile);

        var error = await Should.ThrowAsync<DeployException>(() => _plugin.ApplyAsync(
            _nginx.Target(reloadCommand: ["deploy-no-such-reload"]), Route(colour: "green", servers: ["127.0.0.1:18101"]), CancellationToken.None));

        error.Message.ShouldContain("could not start `deploy-no-such-reload`");
        (await System.IO.File.ReadAllBytesAsync(_nginx.UpstreamFile)).ShouldBe(before);
    }

    [Fact]
    public async Task ApplyAsync_NoLiveColour_WritesAPlaceholderNginxAcceptsAndCurrentHasNoColour()
    {
        await _plugin.ApplyAsync(_nginx.Target(), Route(colour: null, servers: []), CancellationToken.None);

        (await _client.FetchAsync(_nginx.Url)).Status.ShouldBe(502);
        var current = await _plugin.CurrentAsync(_nginx.Target(), CancellationToken.None);
        current.ShouldNotBeNull();
        (current.Colour, current.ConfigHash, current.Servers.Count, current.Backups.Count).ShouldBe((null, null, 0, 0));
    }

    [Fact]
    public async Task ApplyAsync_SameRouteTwice_SameFileAndStillServing()
    {
        await using var green = TestBackend.Start("green-1");
        var route = Route(colour: "green", servers: [green.Address]);
        await _plugin.ApplyAsync(_nginx.Target(), route, CancellationToken.None);
        var first = await System.IO.File.ReadAllTextAsync(_nginx.UpstreamFile);

        await _plugin.ApplyAsync(_nginx.Target(), route, CancellationToken.None);

        (await System.IO.File.ReadAllTextAsync(_nginx.UpstreamFile)).ShouldBe(first);
        (await _client.FetchAsync(_nginx.Url)).Body.ShouldBe("green-1");
    }

    [Fact]
    public async Task CurrentAsync_FileWithoutDeployHeader_ReturnsNull()
    {
        // The placeholder written by start-nginx.sh has no header: nothing was flipped yet.
        (await _plugin.CurrentAsync(_nginx.Target(), CancellationToken.None)).ShouldBeNull();
    }

    private static ProxyRoute Route(string? colour, IReadOnlyList<string> servers, IReadOnlyList<string>? backups = null) =>
        new(App: "shop", Colour: colour, ConfigHash: colour is null ? null : "sha-" + colour, Servers: servers, Backups: backups ?? []);
}
