using System.Text.Json.Nodes;
using Deploy.Tests.Fixtures;
using Deploy.Tests.Support;

namespace Deploy.Tests.Plugins.Socket;

/// <summary>
/// External flavor plugins (InfraKit's <c>/Flavor.*</c>) and proxy plugins (Deploy's <c>/Proxy.*</c>) over sockets,
/// each a python process of its own, driven by the real CLI.
/// </summary>
public sealed class ExternalFlavorAndProxyTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly CliRunner _cli;

    public ExternalFlavorAndProxyTests() =>
        _cli = new CliRunner(_dir.Path, new Dictionary<string, string> { ["INFRAKIT_PLUGINS_DIR"] = PluginsDir });

    private string PluginsDir => Path.Combine(_dir.Path, "plugins");

    [Fact]
    public async Task Watch_ExternalFlavor_PreProvisionAddsInitAndTagsAndDeploysTagsStay()
    {
        await using var instances = await InfraKitPythonPlugin.StartAsync(PluginsDir);
        await using var flavor = await InfraKitPythonPlugin.StartAsync(PluginsDir, name: "flavor-python");
        var spec = _dir.Write("web.json", """
            { "ID": "web", "Properties": { "Allocation": { "Size": 2 },
              "Instance": { "Plugin": "instance-python", "Properties": { "Note": "v1" } },
              "Flavor": { "Plugin": "flavor-python", "Properties": { "Init": ["echo one", "echo two"], "Tags": { "team": "shop" } } } } }
            """);

        var watch = await _cli.RunAsync("group", "watch", spec);

        watch.ExitCode.ShouldBe(0, watch.ToString());
        var held = instances.Instances().Values.ToList();
        held.Count.ShouldBe(2);
        held.ShouldAllBe(i => i["Spec"]!["Init"]!.GetValue<string>() == "echo one\necho two");
        foreach (var tags in instances.InstanceTags())
        {
            (tags["team"], tags["deploy.group"]).ShouldBe(("shop", "web"));
            tags.ShouldContainKey("deploy.config_sha");
        }

        flavor.Log.ShouldContain("\"POST /Flavor.Validate HTTP/1.1\" 200");
        flavor.Log.ShouldContain("\"POST /Flavor.PreProvision HTTP/1.1\" 200");
        flavor.Instances().ShouldBeEmpty();
    }

    [Fact]
    public async Task Watch_ExternalFlavorRefusesProperties_Exit2AtTheFlavorsPath()
    {
        await using var instances = await InfraKitPythonPlugin.StartAsync(PluginsDir);
        await using var flavor = await InfraKitPythonPlugin.StartAsync(PluginsDir, name: "flavor-python",
            knobs: new Dictionary<string, string> { ["PLUGIN_REJECT_FIELD"] = "Bad" });
        var spec = _dir.Write("web.json", """
            { "ID": "web", "Properties": { "Allocation": { "Size": 1 },
              "Instance": { "Plugin": "instance-python", "Properties": {} },
              "Flavor": { "Plugin": "flavor-python", "Properties": { "Bad": 1 } } } }
            """);

        var watch = await _cli.RunAsync("group", "watch", spec);

        watch.ExitCode.ShouldBe(2, watch.ToString());
        watch.Stderr.ShouldContain("error DEPLOY1007: $.Properties.Flavor.Properties: plugin flavor-python");
        instances.Instances().ShouldBeEmpty();
    }

    [Fact]
    public async Task Apply_ExternalProxyTwice_RouteAppliedThenReadBackForTheFlip()
    {
        await using var proxy = await InfraKitPythonPlugin.StartAsync(PluginsDir, name: "proxy-python");
        var app = _dir.Write("app.json", """
            { "ID": "shop", "Vars": { "version": "1" },
              "Group": { "Allocation": { "Size": 2 },
                "Instance": { "Plugin": "instance-file", "Properties": { "Version": "{{var.version}}" } },
                "Flavor": { "Plugin": "flavor-vanilla", "Properties": {} } },
              "Proxy": { "Plugin": "proxy-python", "Properties": { "Site": "shop.example.com" } } }
            """);

        var first = await _cli.RunAsync("apply", app);
        var blue = Route(proxy);
        var second = await _cli.RunAsync("apply", app, "--var", "version=2");
        var green = Route(proxy);
        var status = await _cli.RunAsync("status", app);

        first.ExitCode.ShouldBe(0, first.ToString());
        (blue["App"]!.GetValue<string>(), blue["Colour"]!.GetValue<string>()).ShouldBe(("shop", "blue"));
        blue["Servers"]!.AsArray().Count.ShouldBe(2);
        second.ExitCode.ShouldBe(0, second.ToString());
        green["Colour"]!.GetValue<string>().ShouldBe("green");
        green["ConfigHash"]!.GetValue<string>().ShouldNotBe(blue["ConfigHash"]!.GetValue<string>());
        green["Backups"]!.AsArray().Select(s => s!.GetValue<string>()).Order().ShouldBe(blue["Servers"]!.AsArray().Select(s => s!.GetValue<string>()).Order());
        status.ExitCode.ShouldBe(0, status.ToString());
        status.Stdout.ShouldContain("green");
        proxy.Log.ShouldContain("\"POST /Proxy.Current HTTP/1.1\" 200");
    }

    private static JsonNode Route(InfraKitPythonPlugin plugin) =>
        JsonNode.Parse(File.ReadAllText(plugin.StateFile))!["route"]!;

    public void Dispose() => _dir.Dispose();
}
