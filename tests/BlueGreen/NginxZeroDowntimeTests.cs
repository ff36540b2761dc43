using System.Text.Json;
using System.Text.Json.Nodes;
using Deploy.Tests.Fixtures;
using Deploy.Tests.Support;
using Xunit.Abstractions;

namespace Deploy.Tests.BlueGreen;

/// <summary>
/// The promise: requests keep succeeding through deploys, also when the new version is broken. Real nginx, real
/// hello processes, the real CLI, and 8 keep-alive clients hammering nginx the whole time, one request in five a
/// POST that must never be applied twice.
/// </summary>
[Collection(HelloApp.Collection)]
public sealed class NginxZeroDowntimeTests(HelloApp hello, ITestOutputHelper output) : IAsyncLifetime
{
    private readonly TempDir _dir = new();
    private NginxServer _nginx = null!;
    private CliRunner _cli = null!;
    private string _spec = "";
    private string _counter = "";

    public async Task InitializeAsync()
    {
        _nginx = await NginxServer.StartAsync();
        _counter = Path.Combine(_dir.Path, "counter.txt");
        _spec = WriteSpec(ShopSpec.Nginx(_nginx));
        _cli = new CliRunner(_dir.Path);
    }

    private string WriteSpec(JsonObject proxy) =>
        _dir.Write("shop.json", ShopSpec.Json(hello.Dll, ProxyFixtures.FreePortRange(ShopSpec.PortCount), proxy, verifyDuration: "1s", counterFile: _counter));

    private Task<CliResult> Apply(string version, params string[] more) =>
        _cli.RunAsync(["apply", _spec, "--var", $"version={version}", "--json", .. more]);

    [Fact]
    public async Task Apply_FiveDeploysUnderLoad_NginxConfiguredAsTheReadmeShows_ZeroFailedRequestsNoFalseRollback()
    {
        // UpstreamFile, Upstream, ReloadCommand and Url only, as users copy them: no PidFile to wait on, no TestCommand.
        // The guarantee cannot rest on those optional properties, so this is the one load scenario nginx runs.
        var spec = WriteSpec(new JsonObject { ["Plugin"] = "proxy-nginx", ["Properties"] = JsonNode.Parse(_nginx.ReadmeProperties().GetRawText()) });
        var scenario = new FiveDeployScenario(_cli, spec, _nginx.Url);
        scenario.UseLongVerifyForVersion5();

        await using var load = await scenario.RunAsync();

        ScenarioAssertions.ToldTheTruthAndLostNothing(scenario, load, _counter, output, "nginx (README properties)");
    }

    [Fact]
    public async Task Apply_KilledBetweenProxyWriteAndReload_RerunReloadsAndServesTheNewColour()
    {
        (await Apply("1")).ExitCode.ShouldBe(0);
        (await Apply("2")).ExitCode.ShouldBe(0);
        var green = File.ReadAllText(_nginx.UpstreamFile);
        // What a run killed after writing nginx's file but before its reload leaves: the file names green, nginx serves
        // blue. Made here by loading blue's route, then putting green's file back without a reload.
        await RouteBlueAsync();
        File.WriteAllText(_nginx.UpstreamFile, green);
        using var http = new HttpClient();
        (await http.GetStringAsync(_nginx.Url)).ShouldStartWith("hello from blue");

        var rerun = await Apply("2");

        rerun.ExitCode.ShouldBe(0, rerun.ToString());
        Result(rerun).GetProperty("outcome").GetString().ShouldBe("noop");
        rerun.Stderr.ShouldContain("the proxy does not serve what its configuration names");
        (await http.GetStringAsync(_nginx.Url)).ShouldBe("hello from green 2");
    }

    // nginx serving blue's instances: the route blue's instances had, applied with a real reload through the plugin.
    private async Task RouteBlueAsync()
    {
        var status = Result(await _cli.RunAsync("status", _spec, "--json"));
        var blue = status.GetProperty("colours").EnumerateArray().First(c => c.GetProperty("colour").GetString() == "blue");
        var servers = blue.GetProperty("instances").EnumerateArray().Select(i => i.GetProperty("endpoint").GetString()!).ToList();
        await new Deploy.Engine.Plugins.Proxy.Nginx.NginxProxyPlugin(new Deploy.Engine.Commands.CommandRunner())
            .ApplyAsync(_nginx.Target(), new Deploy.Engine.Plugins.Proxy.ProxyRoute("shop", "blue", null, servers, []), CancellationToken.None);
    }

    [Fact]
    public async Task Apply_NginxConfigBroken_UpstreamRestoredNoReloadOldColourServing()
    {
        (await Apply("1")).ExitCode.ShouldBe(0);
        var upstream = File.ReadAllText(_nginx.UpstreamFile);
        var conf = Path.Combine(_nginx.Directory, "nginx.conf");
        var good = File.ReadAllText(conf);
        File.AppendAllText(conf, "\nthis is not nginx;\n");

        var broken = await Apply("2");

        File.WriteAllText(conf, good);
        broken.ExitCode.ShouldBe(1, broken.ToString());
        Result(broken).GetProperty("summary").GetString()!.ShouldContain("blue is still live");
        File.ReadAllText(_nginx.UpstreamFile).ShouldBe(upstream);
        using var http = new HttpClient();
        (await http.GetStringAsync(_nginx.Url)).ShouldBe("hello from blue 1");
    }

    [Fact]
    public async Task Flip_ToColourWithUnhealthyInstances_RefusedAndLiveColourStays()
    {
        (await Apply("1")).ExitCode.ShouldBe(0);
        (await Apply("2", "--var", "fail_health=1")).ExitCode.ShouldBe(1);
        var upstream = File.ReadAllText(_nginx.UpstreamFile);

        var flip = await _cli.RunAsync("flip", "shop", "--to", "green");

        flip.ExitCode.ShouldBe(1, flip.ToString());
        flip.Stderr.ShouldContain("refusing to flip to green");
        File.ReadAllText(_nginx.UpstreamFile).ShouldBe(upstream);
        var status = JsonDocument.Parse((await _cli.RunAsync("status", "shop", "--json")).Stdout).RootElement;
        status.GetProperty("liveColour").GetString().ShouldBe("blue");
        status.GetProperty("colours")[1].GetProperty("instances").EnumerateArray().ShouldAllBe(i => i.GetProperty("health").GetString()!.StartsWith("unhealthy"));
    }

    [Fact]
    public async Task Apply_Concurrent_SecondExits3()
    {
        (await Apply("1")).ExitCode.ShouldBe(0);
        await using var slow = _cli.Start("apply", _spec, "--var", "version=2", "--var", "fail_health=1");
        await WaitFor(() => File.Exists(Path.Combine(_dir.Path, ".deploy", "locks", "app-shop.lock")));

        var second = await Apply("3");

        second.ExitCode.ShouldBe(3, second.ToString());
        second.Stderr.ShouldContain("DEPLOY2001");
        second.Stderr.ShouldContain($"pid {slow.Pid}");
    }

    [Fact]
    public async Task Serve_LiveInstanceKilled_UpstreamRerenderedWithReplacement()
    {
        (await Apply("1")).ExitCode.ShouldBe(0);
        var status = JsonDocument.Parse((await _cli.RunAsync("status", _spec, "--json")).Stdout).RootElement;
        var victim = status.GetProperty("colours")[0].GetProperty("instances")[0];
        var endpoint = victim.GetProperty("endpoint").GetString()!;

        ProcessScan.Kill(_dir.Path, victim.GetProperty("id").GetString()!);
        // Something else takes the dead instance's port before the controller runs, so the replacement must listen
        // elsewhere and nginx must be told (a replacement on the same port needs no new upstream).
        using var squatter = await HoldPortAsync(int.Parse(endpoint.Split(':')[1]));
        await using (var serve = _cli.Start("serve", "--poll-interval", "500ms"))
        {
            await WaitFor(() => serve.Output.Contains("proxy re-rendered with 2 healthy blue instances"), TimeSpan.FromSeconds(60), () => serve.Output);
        }

        using var http = new HttpClient();
        (await http.GetStringAsync(_nginx.Url)).ShouldBe("hello from blue 1");
        var upstream = File.ReadAllText(_nginx.UpstreamFile);
        upstream.ShouldContain("colour=blue");
        upstream.ShouldNotContain(endpoint + " ");
    }

    private static async Task<System.Net.Sockets.TcpListener> HoldPortAsync(int port)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, port);
            listener.Server.SetSocketOption(System.Net.Sockets.SocketOptionLevel.Socket, System.Net.Sockets.SocketOptionName.ReuseAddress, true);
            try
            {
                listener.Start();
                return listener;
            }
            catch (System.Net.Sockets.SocketException) when (DateTime.UtcNow < deadline)
            {
                listener.Dispose();
                await Task.Delay(20);
            }
        }
    }

    private static JsonElement Result(CliResult r) => JsonDocument.Parse(r.Stdout).RootElement;

    private static async Task WaitFor(Func<bool> condition, TimeSpan? timeout = null, Func<string>? context = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("condition not met; " + context?.Invoke());
            }

            await Task.Delay(100);
        }
    }

    public async Task DisposeAsync()
    {
        await _cli.RunAsync("destroy", _spec, "--yes");
        ProcessScan.KillAll(_dir.Path);
        await _nginx.DisposeAsync();
        _dir.Dispose();
    }
}
