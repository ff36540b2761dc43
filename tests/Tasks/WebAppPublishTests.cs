using System.Text.Json;
using System.Text.Json.Nodes;
using Deploy.Tests.Support;
using Xunit.Abstractions;

namespace Deploy.Tests.Tasks;

/// <summary>
/// docs/msbuild.md's sample as users run it: a stock <c>dotnet new web</c> app referencing the packed Deploy.Tasks,
/// examples/msbuild/deploy.json (instance-process behind the default file proxy), and the doc's own publish command lines.
/// </summary>
[Collection(PackedConsumerCollection.Name)]
public sealed class WebAppPublishTests(PackedConsumer consumer, ITestOutputHelper output) : IDisposable
{
    /// <summary>The doc's command lines, run in the app's folder (docs/msbuild.md shows exactly these).</summary>
    public static readonly string[] DocumentedPublishes =
    [
        "dotnet publish -p:DeployOnPublish=true -p:Version=1.0.0",
        "dotnet publish -p:DeployOnPublish=true -p:Version=2.0.0",
    ];

    /// <summary>The doc's status command line, after the publishes.</summary>
    public const string DocumentedStatus = "dotnet build -t:BlueGreenStatus";

    private readonly List<string> _runs = [];

    [Fact]
    public async Task PublishTwoVersions_StockWebApp_EachInstanceServesOnItsOwnPortFromItsRelease()
    {
        var app = NewApp("web-two-versions");

        foreach (var line in DocumentedPublishes)
        {
            var publish = await Run(app, line);
            publish.ExitCode.ShouldBe(0, publish.ToString());
        }

        var listed = await Run(app, DocumentedStatus);
        listed.ExitCode.ShouldBe(0, listed.ToString());
        listed.Output.ShouldContain("shop: live green, standby blue");
        var status = await Status(app);
        status.GetProperty("liveColour").GetString().ShouldBe("green");
        status.GetProperty("standbyColour").GetString().ShouldBe("blue");
        var instances = new List<(string Colour, string Id, string Endpoint)>();
        foreach (var colour in status.GetProperty("colours").EnumerateArray())
        {
            var name = colour.GetProperty("colour").GetString()!;
            colour.GetProperty("version").GetString().ShouldBe(name == "green" ? "2.0.0" : "1.0.0");
            instances.AddRange(colour.GetProperty("instances").EnumerateArray()
                .Select(i => (name, i.GetProperty("id").GetString()!, i.GetProperty("endpoint").GetString()!)));
        }

        instances.Count.ShouldBe(4);
        instances.Select(i => i.Endpoint).Distinct().Count().ShouldBe(4); // no two instances share a port
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        foreach (var (colour, id, endpoint) in instances)
        {
            (await http.GetStringAsync($"http://{endpoint}/")).ShouldBe("Hello World!", $"{colour} {id}");
            listed.Output.ShouldContain($"  {id}  {endpoint}  version {(colour == "green" ? "2.0.0" : "1.0.0")}  healthy");
            var log = File.ReadAllText(Path.Combine(app, ".deploy", "processes", id + ".log"));
            log.ShouldContain($"Now listening on: http://{endpoint}");
            log.ShouldContain($"Content root path: {Path.Combine(app, ".deploy", "releases", colour == "green" ? "2.0.0" : "1.0.0")}");
        }
    }

    [Fact]
    public async Task PublishSameVersionAgain_OnlyTheSpecChanged_DeploysTheSameRelease()
    {
        var app = NewApp("web-spec-change");
        var publish = "dotnet publish -p:DeployOnPublish=true -p:Version=3.0.0";
        (await Run(app, publish)).ExitCode.ShouldBe(0);
        var spec = Path.Combine(app, "deploy.json");
        File.WriteAllText(spec, File.ReadAllText(spec).Replace("\"tier\": \"web\"", "\"tier\": \"frontend\""));

        var again = await Run(app, publish);

        again.ExitCode.ShouldBe(0, again.ToString());
        again.Output.ShouldNotContain("DEPLOY3004");
        again.Output.ShouldContain("shop: green is live (version 3.0.0); blue on standby");
        Directory.GetFiles(Path.Combine(app, ".deploy", "releases", "3.0.0"), "*.json").Select(Path.GetFileName).ShouldNotContain("deploy.json");
    }

    [Fact]
    public async Task PublishWithDeployOnPublish_AppDiesAtStart_ErrorQuotesTheLastLinesOfItsLog()
    {
        var app = NewApp("web-dies");
        var spec = Path.Combine(app, "deploy.json");
        // Kestrel refuses the scheme and the host exits: the app dies at start on every port.
        var broken = JsonNode.Parse(File.ReadAllText(spec))!.AsObject();
        broken["Group"]!["Instance"]!["Properties"]!["Env"] = new JsonObject { ["ASPNETCORE_URLS"] = "ftp://127.0.0.1:{{port}}" };
        broken["Health"]!["Deadline"] = "60s";
        File.WriteAllText(spec, broken.ToJsonString());

        var publish = await Run(app, DocumentedPublishes[0]);

        publish.ExitCode.ShouldNotBe(0, publish.ToString());
        // The quoted lines come from the log of whichever instance the health check gave up on: any of the two.
        var logLines = Directory.GetFiles(Path.Combine(app, ".deploy", "processes"), "*.log")
            .SelectMany(File.ReadAllLines).Where(l => l.Contains("Unrecognized scheme", StringComparison.Ordinal)).Select(l => l.Trim()).ToList();
        logLines.ShouldNotBeEmpty();
        publish.Output.Split('\n').ShouldContain(l => l.Contains("error DEPLOY3001:") && logLines.Any(l.Contains), publish.ToString());
        publish.Output.ShouldContain("nothing was live");
        publish.Output.ShouldContain("exited before it became healthy"); // noticed when it exited, not at the 60s deadline
    }

    [Fact]
    public async Task PublishContainer_SpecWithoutImage_DeploysTheReleaseOnceAfterPublish()
    {
        var app = NewApp("web-container-files");
        var registry = Fixtures.DockerTestEngine.Registry;
        var environment = new Dictionary<string, string> { ["DOTNET_CONTAINER_INSECURE_REGISTRIES"] = registry };

        var publish = await new DotnetCli(app, consumer.Packages, testRoot: app, environment).BuildAsync("publish", "-t:PublishContainer",
            "-p:DeployOnPublish=true", "-p:Version=1.0.0", $"-p:ContainerRegistry={registry}", $"-p:ContainerBaseImage={registry}/dotnet/aspnet:10.0",
            "-p:ContainerRepository=deploy-tests/shop-files");

        publish.ExitCode.ShouldBe(0, publish.ToString());
        publish.Output.Split("shop: blue is live (version 1.0.0)").Length.ShouldBe(2, publish.ToString());
        publish.Output.ShouldNotContain("deploying image");
        publish.Output.IndexOf("shop: blue is live", StringComparison.Ordinal).ShouldBeLessThan(publish.Output.IndexOf("Pushed image '", StringComparison.Ordinal));
        Directory.Exists(Path.Combine(app, ".deploy", "releases", "1.0.0")).ShouldBeTrue();
        (await Status(app)).GetProperty("liveColour").GetString().ShouldBe("blue");
    }

    public void Dispose()
    {
        foreach (var run in _runs)
        {
            ProcessScan.KillAll(run);
        }
    }

    private string NewApp(string name)
    {
        var app = consumer.NewWebApp(name);
        _runs.Add(app);
        return app;
    }

    // One documented command line, run in the app's folder; the instances it starts carry the test's marker.
    private async Task<DotnetResult> Run(string app, string commandLine)
    {
        var words = commandLine.Split(' ');
        words[0].ShouldBe("dotnet");
        var result = await new DotnetCli(app, consumer.Packages, testRoot: app).BuildAsync(words[1], words[2..]);
        output.WriteLine($"dotnet {result.Command}: exit {result.ExitCode} in {result.Duration.TotalSeconds:0.0}s");
        return result;
    }

    private static async Task<JsonElement> Status(string app)
    {
        var status = await new CliRunner(app).RunAsync("status", "deploy.json", "--json");
        status.ExitCode.ShouldBe(0, status.ToString());
        return JsonDocument.Parse(status.Stdout).RootElement.Clone();
    }
}
