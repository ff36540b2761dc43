using System.Text.Json.Nodes;
using Deploy.Tests.Fixtures;
using Deploy.Tests.Support;

namespace Deploy.Tests.Plugins.Socket;

/// <summary>
/// Deploy's endpoint extension for external instance plugins: one answering <c>/Deploy.Capabilities</c> with
/// <c>{"Endpoints": true}</c> may stand behind an address-routing proxy and be health-checked and verified; a plain
/// InfraKit plugin is refused in <c>plan</c> with the fix.
/// </summary>
public sealed class ExternalPluginCapabilityTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly CliRunner _cli;

    public ExternalPluginCapabilityTests() =>
        _cli = new CliRunner(_dir.Path, new Dictionary<string, string> { ["INFRAKIT_PLUGINS_DIR"] = PluginsDir });

    private string PluginsDir => Path.Combine(_dir.Path, "plugins");

    private string App(string proxy) => _dir.Write("app.json", $$$"""
        { "ID": "shop", "Vars": { "version": "1" },
          "Group": { "Allocation": { "Size": 2 },
            "Instance": { "Plugin": "instance-python", "Properties": { "Version": "{{var.version}}" } },
            "Flavor": { "Plugin": "flavor-vanilla", "Properties": {} } },
          "Health": { "Path": "/healthz", "Interval": "200ms", "Timeout": "2s", "HealthyThreshold": 1, "Deadline": "20s" },
          "Verify": { "Path": "/version", "Expect": "{{var.version}}", "Duration": "1s" },
          "Proxy": {{{proxy}}} }
        """);

    private const string Nginx = """{ "Plugin": "proxy-nginx", "Properties": { "UpstreamFile": "u.conf", "Upstream": "app", "ReloadCommand": ["true"], "Url": "http://127.0.0.1:1/" } }""";

    [Fact]
    public async Task Plan_PlainInfraKitPluginBehindNginxWithHealth_Exit2WithTheExtensionAsFix()
    {
        await using var plugin = await InfraKitPythonPlugin.StartAsync(PluginsDir);

        var plan = await _cli.RunAsync("plan", App(Nginx));

        plan.ExitCode.ShouldBe(2, plan.ToString());
        plan.Stderr.ShouldContain("$.Proxy.Plugin: proxy-nginx routes to instance addresses (host:port), but instance-python instances have none");
        plan.Stderr.ShouldContain("$.Health: health checks probe each instance's endpoint, but instance-python instances have none");
        plan.Stderr.ShouldContain("$.Verify:");
        plan.Stderr.ShouldContain("answer POST /Deploy.Capabilities with {\"Endpoints\": true}");
        plugin.Log.ShouldContain("\"POST /Deploy.Capabilities HTTP/1.1\" 404");
    }

    [Fact]
    public async Task Plan_PluginWithTheEndpointExtensionBehindNginx_PassesCapabilityValidation()
    {
        await using var plugin = await InfraKitPythonPlugin.StartAsync(PluginsDir, knobs: new Dictionary<string, string> { ["PLUGIN_ENDPOINTS"] = "1" });

        var plan = await _cli.RunAsync("plan", App(Nginx));

        plan.Stderr.ShouldNotContain("have none");
        plan.ExitCode.ShouldBe(0, plan.ToString());
    }

    [Fact]
    public async Task Apply_PluginWithTheEndpointExtension_HealthVerifyAndTheRouteUseItsEndpoints()
    {
        await using var plugin = await InfraKitPythonPlugin.StartAsync(PluginsDir, knobs: new Dictionary<string, string> { ["PLUGIN_ENDPOINTS"] = "1" });

        var apply = await _cli.RunAsync("apply", App("""{ "Plugin": "proxy-file", "Properties": { "Path": "route.json" } }"""));

        apply.ExitCode.ShouldBe(0, apply.ToString());
        var endpoints = plugin.Instances().Values.Select(i => i["Endpoint"]!.GetValue<string>()).Order().ToList();
        endpoints.Count.ShouldBe(2);
        var route = JsonNode.Parse(File.ReadAllText(Path.Combine(_dir.Path, "route.json")))!;
        route["Colour"]!.GetValue<string>().ShouldBe("blue");
        route["Servers"]!.AsArray().Select(s => s!.GetValue<string>()).Order().ShouldBe(endpoints);
    }

    public void Dispose() => _dir.Dispose();
}
