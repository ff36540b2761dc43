using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Deploy.Tests.Fixtures;
using Deploy.Tests.Support;

namespace Deploy.Tests.Plugins.Socket;

/// <summary>
/// The seed's tutorial driven through an external InfraKit instance plugin: a python process on a unix socket in
/// INFRAKIT_PLUGINS_DIR, reached by the real CLI. Assertions are on what the plugin holds.
/// </summary>
public sealed class ExternalInstancePluginTests : IAsyncLifetime
{
    private readonly TempDir _dir = new();
    private readonly CliRunner _cli;
    private InfraKitPythonPlugin _plugin = null!;

    public ExternalInstancePluginTests()
    {
        foreach (var file in Directory.GetFiles(Path.Combine(Repo.Root, "examples", "tutorial"), "*.json"))
        {
            _dir.Write(Path.Combine("tutorial-config", Path.GetFileName(file)),
                File.ReadAllText(file).Replace("\"instance-file\"", "\"instance-python\"", StringComparison.Ordinal));
        }

        _cli = new CliRunner(_dir.Path, new Dictionary<string, string> { ["INFRAKIT_PLUGINS_DIR"] = PluginsDir });
    }

    private string PluginsDir => Path.Combine(_dir.Path, "plugins");

    public async Task InitializeAsync() => _plugin = await InfraKitPythonPlugin.StartAsync(PluginsDir);

    public async Task DisposeAsync()
    {
        await _plugin.DisposeAsync();
        _dir.Dispose();
    }

    [Fact]
    public async Task Tutorial_ThroughPythonPlugin_WatchInspectUpdateDestroyChangeThePluginsInstances()
    {
        var watch = await _cli.RunAsync("group", "watch", "tutorial-config/app-blue-group.json");
        watch.ExitCode.ShouldBe(0, watch.ToString());
        var first = _plugin.Instances();
        first.Keys.Order().ShouldBe(["instance-1", "instance-2"]);
        var hash = first.Values.Select(i => i["Tags"]!["deploy.config_sha"]!.GetValue<string>()).Distinct().ShouldHaveSingleItem();
        foreach (var tags in _plugin.InstanceTags())
        {
            tags["deploy.group"].ShouldBe("app-blue");
            (tags["tier"], tags["project"], tags["colour"]).ShouldBe(("web", "app", "blue"));
        }

        // The flavor's init script and the instance properties reach the plugin in InfraKit's Spec shape.
        var spec = first["instance-1"]["Spec"]!;
        spec["Init"]!.GetValue<string>().ShouldBe("docker run -dit -p 80:80 nginx:alpine");
        spec["Properties"]!["Note"]!.GetValue<string>().ShouldBe("Instance properties app version 1.0");

        var inspect = await _cli.RunAsync("group", "inspect", "app-blue");
        inspect.ExitCode.ShouldBe(0, inspect.ToString());
        var rows = inspect.Stdout.Trim().Split('\n');
        rows.Length.ShouldBe(3);
        rows[1].ShouldStartWith("instance-1 ");
        rows.Skip(1).ShouldAllBe(r => r.Contains($"deploy.config_sha={hash}"));

        var describe = await _cli.RunAsync("group", "describe", "tutorial-config/app-blue-group-2.json");
        describe.Stdout.ShouldBe("app-blue : Performs a rolling update on 2 instances\n", describe.ToString());

        var update = await _cli.RunAsync("group", "update", "tutorial-config/app-blue-group-2.json");
        update.ExitCode.ShouldBe(0, update.ToString());
        update.Stdout.ShouldContain("Finished updating group app-blue");
        var updated = _plugin.Instances();
        updated.Count.ShouldBe(2);
        updated.Keys.ShouldNotContain("instance-1");
        updated.Keys.ShouldNotContain("instance-2");
        var newHash = updated.Values.Select(i => i["Tags"]!["deploy.config_sha"]!.GetValue<string>()).Distinct().ShouldHaveSingleItem();
        newHash.ShouldNotBe(hash);
        updated.Values.ShouldAllBe(i => i["Spec"]!["Init"]!.GetValue<string>() == "docker run -dit -p 80:80 -e VERSION=2 nginx:alpine");

        var destroy = await _cli.RunAsync("group", "destroy", "app-blue");
        destroy.ExitCode.ShouldBe(0, destroy.ToString());
        _plugin.Instances().ShouldBeEmpty();
        (await _cli.RunAsync("group", "ls", "--json")).Stdout.Trim().ShouldBe("[]");
    }

    [Fact]
    public async Task PluginLs_PythonPluginAndAShadowingSocket_ListedWithTheirSocketPaths()
    {
        using var shadow = DeadSocket.Create(Path.Combine(PluginsDir, "instance-file"));
        File.WriteAllText(Path.Combine(PluginsDir, "notes.txt"), "not a socket");

        var table = await _cli.RunAsync("plugin", "ls");

        table.ExitCode.ShouldBe(0, table.ToString());
        var lines = table.Stdout.Split('\n');
        lines[0].ShouldMatch(@"^NAME\s+KIND\s+LISTEN\s+DESCRIPTION$");
        lines.ShouldContain(l => Regex.IsMatch(l, $@"^instance-python +socket +{Regex.Escape(_plugin.SocketPath)} +external InfraKit plugin"));
        lines.ShouldContain(l => l.StartsWith("instance-file ") && l.Contains(" built-in "));
        lines.ShouldContain(l => l.StartsWith("instance-file ") && l.Contains(shadow.Path) && l.Contains("shadowed by the built-in instance-file"));
        table.Stdout.ShouldNotContain("notes.txt");

        var json = JsonNode.Parse((await _cli.RunAsync("plugin", "ls", "--json")).Stdout)!.AsArray();
        var python = json.Single(p => p!["name"]!.GetValue<string>() == "instance-python")!;
        python["listen"]!.GetValue<string>().ShouldBe(_plugin.SocketPath);
        json.Single(p => p!["name"]!.GetValue<string>() == "flavor-vanilla")!["listen"].ShouldBeNull();
    }

    [Fact]
    public async Task Watch_ShadowingSocket_BuiltInPluginWins()
    {
        using var shadow = DeadSocket.Create(Path.Combine(PluginsDir, "instance-file"));
        var spec = _dir.Write("file-group.json", """
            { "ID": "files", "Properties": { "Allocation": { "Size": 1 },
              "Instance": { "Plugin": "instance-file", "Properties": {} }, "Flavor": { "Plugin": "flavor-vanilla" } } }
            """);

        var watch = await _cli.RunAsync("group", "watch", spec);

        watch.ExitCode.ShouldBe(0, watch.ToString());
        Directory.GetFiles(Path.Combine(_dir.Path, ".deploy", "instances"), "instance-*").Length.ShouldBe(1);
    }

    [Fact]
    public async Task Plan_PluginNeitherBuiltInNorSocket_Exit2UnknownPluginNamingTheSocketFolder()
    {
        var app = _dir.Write("app.json", """
            { "ID": "shop", "Group": { "Allocation": { "Size": 1 },
              "Instance": { "Plugin": "instance-nowhere", "Properties": {} }, "Flavor": { "Plugin": "flavor-vanilla", "Properties": {} } } }
            """);

        var plan = await _cli.RunAsync("plan", app);

        plan.ExitCode.ShouldBe(2, plan.ToString());
        plan.Stderr.ShouldContain("error DEPLOY1006");
        plan.Stderr.ShouldContain("unknown instance plugin \"instance-nowhere\"; known instance plugins: instance-docker, instance-file, instance-process");
        plan.Stderr.ShouldContain($"no socket \"instance-nowhere\" in {PluginsDir} (external plugins: instance-python)");
        plan.Stderr.ShouldContain("INFRAKIT_PLUGINS_DIR");
    }
}
