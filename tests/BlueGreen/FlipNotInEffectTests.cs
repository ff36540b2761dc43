using System.Text.Json;
using System.Text.Json.Nodes;
using Deploy.Tests.Fixtures;
using Deploy.Tests.Support;

namespace Deploy.Tests.BlueGreen;

/// <summary>
/// A flip whose reload never takes effect (a ReloadCommand that does nothing) is never judged as done: apply rolls back
/// and a manual flip puts back what was live. Real nginx, real hello processes, the real CLI.
/// </summary>
[Collection(HelloApp.Collection)]
public sealed class FlipNotInEffectTests(HelloApp hello) : IAsyncLifetime
{
    private readonly TempDir _dir = new();
    private NginxServer _nginx = null!;
    private CliRunner _cli = null!;
    private string _spec = "";

    public async Task InitializeAsync()
    {
        _nginx = await NginxServer.StartAsync();
        _spec = _dir.Write("shop.json", ShopSpec.Json(hello.Dll, ProxyFixtures.FreePortRange(ShopSpec.PortCount), ShopSpec.Nginx(_nginx), verifyDuration: "1s"));
        _cli = new CliRunner(_dir.Path);
    }

    // The proxy's file is rewritten but nginx is never told: the old configuration keeps serving.
    private void BreakTheReload()
    {
        var spec = JsonNode.Parse(File.ReadAllText(_spec))!.AsObject();
        var properties = spec["Proxy"]!["Properties"]!.AsObject();
        properties["ReloadCommand"] = new JsonArray("true");
        properties.Remove("PidFile");
        File.WriteAllText(_spec, spec.ToJsonString());
    }

    [Fact]
    public async Task ApplyAndFlip_ReloadNeverTakesEffect_OldColourStaysLiveInTheProxyFile()
    {
        (await _cli.RunAsync("apply", _spec, "--var", "version=1")).ExitCode.ShouldBe(0);
        BreakTheReload();

        var apply = await _cli.RunAsync("apply", _spec, "--var", "version=2", "--json");

        apply.ExitCode.ShouldBe(1, apply.ToString());
        var result = JsonDocument.Parse(apply.Stdout).RootElement;
        result.GetProperty("outcome").GetString().ShouldBe("rolledBack");
        result.GetProperty("summary").GetString()!.ShouldContain("did not answer from green");
        File.ReadAllText(_nginx.UpstreamFile).ShouldContain("colour=blue");

        var flip = await _cli.RunAsync("flip", "shop", "--to", "green");

        flip.ExitCode.ShouldBe(1, flip.ToString());
        flip.Stderr.ShouldContain("the flip to green did not take effect");
        flip.Stderr.ShouldContain("blue is live again");
        File.ReadAllText(_nginx.UpstreamFile).ShouldContain("colour=blue");
        using var http = ProxyFixtures.NewClient();
        (await http.FetchAsync(_nginx.Url)).ShouldBe((200, "hello from blue 1"));
    }

    public async Task DisposeAsync()
    {
        await _cli.RunAsync("destroy", _spec, "--yes");
        ProcessScan.KillAll(_dir.Path);
        await _nginx.DisposeAsync();
        _dir.Dispose();
    }
}
