using Deploy.Tests.Support;

namespace Deploy.Tests.Cli;

/// <summary>The InfraKit tutorial from the seed article, replayed command for command with the real CLI and file instances.</summary>
public sealed class TutorialTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly CliRunner _cli;

    public TutorialTests()
    {
        foreach (var file in Directory.GetFiles(Path.Combine(Repo.Root, "examples", "tutorial"), "*.json"))
        {
            _dir.Write(Path.Combine("tutorial-config", Path.GetFileName(file)), File.ReadAllText(file));
        }

        Directory.CreateDirectory(Path.Combine(_dir.Path, "tutorial"));
        _cli = new CliRunner(_dir.Path, new Dictionary<string, string> { ["DEPLOY_FILE_DIR"] = "./tutorial" });
    }

    private string[] InstanceFiles => Directory.GetFiles(Path.Combine(_dir.Path, "tutorial"), "instance-*");

    [Fact]
    public async Task Tutorial_WatchHealUpdateDestroy_BehavesAsTheSeedShows()
    {
        var plugins = await _cli.RunAsync("plugin", "ls");
        plugins.ExitCode.ShouldBe(0, plugins.ToString());
        plugins.Stdout.ShouldContain("instance-file");
        plugins.Stdout.ShouldContain("flavor-vanilla");

        var empty = await _cli.RunAsync("instance", "describe", "--name", "instance-file");
        empty.Stdout.Trim().ShouldBe("ID  LOGICAL  TAGS");

        var watch = await _cli.RunAsync("group", "watch", "tutorial-config/app-blue-group.json");
        watch.ExitCode.ShouldBe(0, watch.ToString());
        watch.Stdout.ShouldEndWith("watching app-blue\n");
        InstanceFiles.Length.ShouldBe(2);

        await using (var serve = _cli.Start("serve", "--poll-interval", "300ms"))
        {
            var lost = InstanceFiles[0];
            File.Delete(lost);
            await WaitUntil(() => InstanceFiles.Length == 2 && !InstanceFiles.Contains(lost), TimeSpan.FromSeconds(15));
            await WaitUntil(() => serve.Output.Contains("Adding 1 instance to group app-blue to reach desired 2"), TimeSpan.FromSeconds(5));
            await WaitUntil(() => serve.Output.Contains("Created instance instance-") && serve.Output.Contains("deploy.config_sha=l9lqpBGJSWIrDOtrliJRGSK1y60="), TimeSpan.FromSeconds(5));

            var inspect = await _cli.RunAsync("group", "inspect", "app-blue");
            var rows = inspect.Stdout.Trim().Split('\n');
            rows[0].ShouldMatch(@"^ID\s+LOGICAL\s+TAGS$");
            rows.Length.ShouldBe(3);
            rows.Skip(1).ShouldAllBe(r => r.Contains(" -  ") && r.Contains("deploy.config_sha=l9lqpBGJSWIrDOtrliJRGSK1y60=,deploy.group=app-blue"));

            (await _cli.RunAsync("group", "watch", "tutorial-config/app-green-group.json")).Stdout.ShouldEndWith("watching app-green\n");

            var describe = await _cli.RunAsync("group", "describe", "tutorial-config/app-blue-group-2.json");
            describe.Stdout.ShouldBe("app-blue : Performs a rolling update on 2 instances\n");

            var update = await _cli.RunAsync("group", "update", "tutorial-config/app-blue-group-2.json");
            update.ExitCode.ShouldBe(0, update.ToString());
            var lines = update.Stdout.Trim().Split('\n');
            lines[0].ShouldBe("Executing update plan for 'app-blue': Performs a rolling update on 2 instances");
            lines.ShouldContain("Found 2 undesired instances");
            lines.ShouldContain("Found 1 undesired instance");
            lines.Count(l => l.StartsWith("Destroying instance instance-")).ShouldBe(2);
            lines.Count(l => l.StartsWith("Created instance instance-") && l.Contains("deploy.config_sha=jHUgS68HiWOOPrTmbHy00-YV9QI=")).ShouldBe(2);
            lines[^3].ShouldBe("Scaler has quiesced");
            lines[^2].ShouldBe("Finished updating group app-blue");
            lines[^1].ShouldBe("update app-blue completed");

            (await serve.StopAsync()).ShouldBe(0);
            serve.Output.ShouldContain("stopped");
        }

        var blue = await _cli.RunAsync("instance", "describe", "--name", "instance-file", "--tags", "deploy.group=app-blue");
        blue.Stdout.Trim().Split('\n').Skip(1).ShouldAllBe(r => r.Contains("jHUgS68HiWOOPrTmbHy00-YV9QI="));
        InstanceFiles.Length.ShouldBe(4);

        (await _cli.RunAsync("group", "destroy", "app-blue")).ExitCode.ShouldBe(0);
        (await _cli.RunAsync("group", "destroy", "app-green")).ExitCode.ShouldBe(0);
        InstanceFiles.ShouldBeEmpty();
        (await _cli.RunAsync("group", "ls", "--json")).Stdout.Trim().ShouldBe("[]");
    }

    [Fact]
    public async Task Watch_InvalidSpec_Exit2WithPathAndNothingChanged()
    {
        var bad = _dir.Write("bad.json", """
            {
              "ID": "app",
              "Properties": {
                "Allocation": { "Size": -1 },
                "Instance": { "Plugin": "instance-files" },
                "Flavor": { "Plugin": "flavor-vanilla" }
              }
            }
            """);

        var result = await _cli.RunAsync("group", "watch", bad);

        result.ExitCode.ShouldBe(2);
        result.Stderr.ShouldContain($"{bad}(4,29): error DEPLOY1003: $.Properties.Allocation.Size: must be at least 0 (was -1)");
        result.Stderr.ShouldContain("unknown instance plugin \"instance-files\"; known instance plugins: instance-docker, instance-file, instance-process");
        result.Stderr.ShouldNotContain("   at ");
        Directory.Exists(Path.Combine(_dir.Path, ".deploy", "groups")).ShouldBeFalse();
        InstanceFiles.ShouldBeEmpty();
    }

    [Theory]
    [InlineData(2, "group", "inspect", "nope")]
    [InlineData(2, "group", "frobnicate")]
    [InlineData(2, "instance", "describe", "--name", "instance-nope")]
    [InlineData(2, "instance", "describe", "--name", "instance-file", "--tags", "novalue")]
    [InlineData(2, "serve", "--poll-interval", "often")]
    [InlineData(0, "--version")]
    [InlineData(0, "group", "--help")]
    public async Task Cli_ExitCodes(int expected, params string[] args)
    {
        var result = await _cli.RunAsync(args);

        result.ExitCode.ShouldBe(expected, result.ToString());
        result.Stderr.ShouldNotContain("   at ");
    }

    [Fact]
    public async Task Inspect_Json_CamelCaseMembers()
    {
        await _cli.RunAsync("group", "watch", "tutorial-config/app-blue-group.json");

        var result = await _cli.RunAsync("group", "inspect", "app-blue", "--json");

        result.ExitCode.ShouldBe(0, result.ToString());
        using var doc = System.Text.Json.JsonDocument.Parse(result.Stdout);
        doc.RootElement.GetArrayLength().ShouldBe(2);
        doc.RootElement[0].GetProperty("id").GetString()!.ShouldStartWith("instance-");
        doc.RootElement[0].GetProperty("tags").GetProperty("deploy.group").GetString().ShouldBe("app-blue");
    }

    private static async Task WaitUntil(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("condition not met in " + timeout);
            }

            await Task.Delay(100);
        }
    }

    public void Dispose() => _dir.Dispose();
}
