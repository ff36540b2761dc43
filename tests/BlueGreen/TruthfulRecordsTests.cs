using System.Text.Json;
using System.Text.Json.Nodes;
using Deploy.Tests.Fixtures;
using Deploy.Tests.Support;

namespace Deploy.Tests.BlueGreen;

/// <summary>
/// Results, status and history say what really runs (observed tags and the proxy's own header), never what was asked:
/// after a rollback or a failed BeforeFlip, and with a secret spread over labels, init lines and instance properties.
/// Real nginx, real hello processes, the real CLI.
/// </summary>
[Collection(HelloApp.Collection)]
public sealed class TruthfulRecordsTests(HelloApp hello) : IAsyncLifetime
{
    private const string Secret = "pa55-Truth-9271";
    private readonly TempDir _dir = new();
    private NginxServer _nginx = null!;
    private CliRunner _cli = null!;
    private string _spec = "";

    public async Task InitializeAsync()
    {
        _nginx = await NginxServer.StartAsync();
        var spec = JsonNode.Parse(ShopSpec.Json(hello.Dll, ProxyFixtures.FreePortRange(ShopSpec.PortCount), ShopSpec.Nginx(_nginx), verifyDuration: "4s"))!.AsObject();
        spec["Secrets"] = new JsonArray("owner");
        spec["Group"]!["Flavor"]!["Properties"]!["Labels"]!["owner"] = "{{var.owner}}";
        spec["Group"]!["Flavor"]!["Properties"]!["UserData"] = new JsonArray("login {{var.owner}}");
        spec["Group"]!["Instance"]!["Properties"]!["Env"]!["APP_OWNER"] = "{{var.owner}}";
        spec["Hooks"] = new JsonObject { ["BeforeFlip"] = new JsonArray("sh", "-c", "test \"$DEPLOY_VERSION\" != 13") };
        _spec = _dir.Write("shop.json", spec.ToJsonString());
        _cli = new CliRunner(_dir.Path, new Dictionary<string, string> { ["DEPLOY_VAR_owner"] = Secret });
    }

    private Task<CliResult> Run(params string[] args) => _cli.RunAsync(args);

    private static JsonElement Json(CliResult r) => JsonDocument.Parse(r.Stdout).RootElement;

    [Fact]
    public async Task Apply_FailsAfterFlip_PlanAndApplyOfLiveVersionAreNoopAndHistoryNamesWhatRuns()
    {
        (await Run("apply", _spec, "--var", "version=1")).ExitCode.ShouldBe(0);

        var broken = await Run("apply", _spec, "--var", "version=2", "--var", "fail_after=2s", "--json");

        broken.ExitCode.ShouldBe(1, broken.ToString());
        Json(broken).GetProperty("outcome").GetString().ShouldBe("rolledBack");
        Json(broken).GetProperty("version").GetString().ShouldBe("1");
        var plan = await Run("plan", _spec, "--var", "version=1", "--json");
        Json(plan).GetProperty("outcome").GetString().ShouldBe("noop", plan.ToString());
        var again = await Run("apply", _spec, "--var", "version=1", "--json");
        Json(again).GetProperty("outcome").GetString().ShouldBe("noop", again.ToString());
        var status = Json(await Run("status", "shop", "--json"));
        status.GetProperty("liveColour").GetString().ShouldBe("blue");
        var history = status.GetProperty("lastDeploys").EnumerateArray().ToList();
        var rollback = history.Single(h => h.GetProperty("outcome").GetString() == "RolledBack");
        (rollback.GetProperty("from").GetString(), rollback.GetProperty("to").GetString(), rollback.GetProperty("version").GetString())
            .ShouldBe(("green", "blue", "1"));
        var blueHash = status.GetProperty("colours")[0].GetProperty("configHash").GetString();
        rollback.GetProperty("configHash").GetString().ShouldBe(blueHash);
        File.ReadAllText(_nginx.UpstreamFile).ShouldContain($"colour=blue config_sha={Uri.EscapeDataString(blueHash!)}");
    }

    [Fact]
    public async Task Apply_BeforeFlipFails_ResultAndHistoryKeepTheLiveVersion()
    {
        (await Run("apply", _spec, "--var", "version=12")).ExitCode.ShouldBe(0);

        var refused = await Run("apply", _spec, "--var", "version=13", "--json");

        refused.ExitCode.ShouldBe(1, refused.ToString());
        Json(refused).GetProperty("outcome").GetString().ShouldBe("beforeFlipFailed");
        Json(refused).GetProperty("version").GetString().ShouldBe("12");
        var status = Json(await Run("status", "shop", "--json"));
        var last = status.GetProperty("lastDeploys").EnumerateArray().Last();
        (last.GetProperty("outcome").GetString(), last.GetProperty("to").GetString(), last.GetProperty("version").GetString())
            .ShouldBe(("BeforeFlipFailed", "blue", "12"));
        status.GetProperty("colours")[0].GetProperty("role").GetString().ShouldBe("live");
    }

    [Fact]
    public async Task Commands_SecretInLabelsInitAndProperties_AbsentFromEveryOutputAndFile()
    {
        var outputs = new List<CliResult>
        {
            await Run("plan", _spec, "--var", "version=1"),
            await Run("plan", _spec, "--var", "version=1", "--json"),
            await Run("apply", _spec, "--var", "version=1"),
            await Run("apply", _spec, "--var", "version=2", "--json"),
            await Run("status", "shop"),
            await Run("status", "shop", "--json"),
            await Run("group", "inspect", "shop-blue"),
            await Run("group", "inspect", "shop-green", "--json"),
            await Run("instance", "describe", "--name", "instance-process"),
            await Run("instance", "describe", "--name", "instance-process", "--json"),
            await Run("rollback", "shop"),
            await Run("ls", "--json"),
        };

        outputs[2].ExitCode.ShouldBe(0, outputs[2].ToString());
        outputs[3].ExitCode.ShouldBe(0, outputs[3].ToString());
        outputs[2].Stdout.ShouldContain("owner=***");
        foreach (var output in outputs)
        {
            output.Stdout.ShouldNotContain(Secret);
            output.Stderr.ShouldNotContain(Secret);
        }

        // The controller re-creates a lost instance from the committed colour, filling the secret from DEPLOY_VAR_owner.
        var live = Json(await Run("status", "shop", "--json")).GetProperty("colours").EnumerateArray().Single(c => c.GetProperty("role").GetString() == "live");
        ProcessScan.Kill(_dir.Path, live.GetProperty("instances")[0].GetProperty("id").GetString()!);
        await using (var serve = _cli.Start("serve", "--poll-interval", "200ms"))
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while (!serve.Output.Contains("Created instance") && clock.Elapsed < TimeSpan.FromSeconds(60))
            {
                await Task.Delay(100);
            }

            serve.Output.ShouldContain("owner=***");
            serve.Output.ShouldNotContain(Secret);
        }

        var files = Directory.GetFiles(Path.Combine(_dir.Path, ".deploy"), "*", SearchOption.AllDirectories);
        files.ShouldContain(f => f.EndsWith(".log"));
        files.Where(f => !f.EndsWith(".log")).ShouldAllBe(f => !File.ReadAllText(f).Contains(Secret));
        File.ReadAllText(_nginx.UpstreamFile).ShouldNotContain(Secret);
    }

    public async Task DisposeAsync()
    {
        await Run("destroy", _spec, "--yes");
        ProcessScan.KillAll(_dir.Path);
        await _nginx.DisposeAsync();
        _dir.Dispose();
    }
}
