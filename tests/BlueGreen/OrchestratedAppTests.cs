using System.Text.Json;
using Deploy.Engine.BlueGreen;
using Deploy.Engine.Groups;
using Deploy.Engine.Plugins;
using Deploy.Engine.Plugins.Flavor;
using Deploy.Engine.Plugins.Proxy.File;
using Deploy.Engine.Planning;
using Deploy.Tests.Support;

namespace Deploy.Tests.BlueGreen;

/// <summary>
/// A blue/green app whose colours an orchestrator owns, through the real app flow on the in-memory orchestrator and the
/// file proxy: each colour is one service, committed as a unit; the proxy's route names the live colour's tasks, and its
/// label selector names the same instances by their tags (the seam a label-routing proxy, e.g. a Kubernetes Service, uses).
/// </summary>
public sealed class OrchestratedAppTests : IDisposable
{
    private const string Token = "tok-5f1e9c";
    private readonly TempDir _dir = new();
    private readonly MemoryGroupPlugin _orchestrator = new();
    private readonly AppService _apps;
    private readonly string _spec;

    public OrchestratedAppTests()
    {
        var options = new EngineOptions(Path.Combine(_dir.Path, "state"))
        {
            Environment = name => name == "DEPLOY_VAR_api_token" ? Token : null, PollInterval = TimeSpan.FromMilliseconds(20),
        };
        _apps = new AppService(options, new PluginRegistry([], [new VanillaFlavor()], [new FileProxyPlugin()], [_orchestrator]));
        _spec = _dir.Write("app.json", """
            {
              "ID": "shop",
              "Vars": { "version": "1" },
              "Secrets": ["api_token"],
              "Colours": { "blue": {}, "green": {} },
              "Group": {
                "Allocation": { "Size": 2 },
                "Orchestrator": { "Plugin": "group-memory", "Properties": { "Image": "shop:{{var.version}}", "Env": { "API_TOKEN": "{{var.api_token}}" } } }
              },
              "Proxy": { "Plugin": "proxy-file", "Properties": { "Path": "route.json" } }
            }
            """);
    }

    private Task<DeployResult> Apply(string version) =>
        _apps.ApplyAsync(new AppRequest(_spec) { Vars = new Dictionary<string, string> { ["version"] = version } }, CancellationToken.None);

    [Fact]
    public async Task Apply_TwoVersions_EachColourIsOneServiceAndTheRouteSelectsTheLiveTasksByLabel()
    {
        (await Apply("1")).LiveColour.ShouldBe("blue");

        var second = await Apply("2");

        second.LiveColour.ShouldBe("green");
        second.Plan.ShouldContain("shop-green : Creates service shop-green with 2 replicas of image shop:2");
        _orchestrator.VersionOf("shop-blue").ShouldBe(1);
        _orchestrator.VersionOf("shop-green").ShouldBe(1);
        var route = await new FileProxyPlugin().CurrentAsync(new(JsonDocument.Parse("""{"Path": "route.json"}""").RootElement, _dir.Path), CancellationToken.None);
        route!.Colour.ShouldBe("green");
        var green = (await _orchestrator.InspectAsync("shop-green", null, CancellationToken.None))!.Instances;
        route.Servers.Order().ShouldBe(green.Select(i => i.Id).Order()); // no endpoints: the route names the tasks
        route.Selector.ShouldBe(new Dictionary<string, string> { ["deploy.app"] = "shop", ["deploy.colour"] = "green" });
        green.ShouldAllBe(i => route.Selector.All(s => i.Tags[s.Key] == s.Value));
        green.ShouldAllBe(i => i.Tags["deploy.version"] == "2" && i.Tags[GroupPlanner.HashTag] == route.ConfigHash);
    }

    [Fact]
    public async Task Apply_SameVersionAgain_NoopAndNothingCommitted()
    {
        await Apply("1");

        var again = await Apply("1");

        again.Outcome.ShouldBe(DeployOutcome.Noop);
        _orchestrator.VersionOf("shop-blue").ShouldBe(1);
        _orchestrator.VersionOf("shop-green").ShouldBe(0);
    }

    [Fact]
    public async Task Apply_SecretInTheServicesEnv_OrchestratorGetsItAndNoOutputOrStateFileHoldsIt()
    {
        var result = await Apply("1");

        var group = await _orchestrator.InspectAsync("shop-blue", null, CancellationToken.None);
        group.ShouldNotBeNull();
        _orchestrator.PropertiesOf("shop-blue").ShouldContain(Token); // the orchestrator runs the task with it
        JsonSerializer.Serialize(result).ShouldNotContain(Token);
        foreach (var file in Directory.GetFiles(_dir.Path, "*", SearchOption.AllDirectories))
        {
            File.ReadAllText(file).ShouldNotContain(Token, customMessage: file);
        }
    }

    public void Dispose() => _dir.Dispose();
}
