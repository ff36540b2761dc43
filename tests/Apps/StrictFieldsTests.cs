using Deploy.Engine.Apps;
using Deploy.Engine.Diagnostics;
using Deploy.Engine.Events;
using Deploy.Engine.Plugins;
using Deploy.Engine.Spec;
using Deploy.Tests.Support;

namespace Deploy.Tests.Apps;

/// <summary>An unknown field anywhere in an app or group spec is an error with its path, the known names and the closest.</summary>
public sealed class StrictFieldsTests : IDisposable
{
    private readonly SpecFolder _dir = new();

    private const string Spec = """
        {
          "ID": "shop",
          "Vars": { "version": "1.0.0" },
          "Colours": { "blue": {}, "green": {} },
          "Group": {
            "Allocation": { "Size": 2 },
            "Instance": { "Plugin": "instance-process", "Properties": {
              "Command": ["dotnet", "app.dll"], "Env": { "V": "{{var.version}}" }, "Ports": { "From": 18100, "To": 18199 }, "StopTimeout": "5s" } },
            "Flavor": { "Plugin": "flavor-vanilla", "Properties": { "UserData": ["run"], "Labels": { "tier": "web" } } },
            "Updating": { "Count": 1, "Surge": false, "Deadline": "1m" }
          },
          "Health": { "Path": "/healthz", "Interval": "500ms", "Timeout": "2s", "HealthyThreshold": 3, "Deadline": "60s" },
          "Verify": { "Path": "/version", "Expect": "{{var.version}}", "Duration": "1s" },
          "Proxy": { "Plugin": "proxy-file", "Properties": { "Path": "proxy.json" } },
          "Hooks": { "BeforeFlip": ["./smoke.sh"], "AfterFlip": [], "OnRollback": [] },
          "Standby": { "Keep": true, "DrainTimeout": "5s" }
        }
        """;

    private ResolvedApp Load(string json) =>
        _dir.Load(json);

    [Fact]
    public void Load_EveryKnownField_Accepted() => Load(Spec).Id.ShouldBe("shop");

    [Fact]
    public void Load_KnownFieldsInOtherCase_AcceptedAsGoMatchesThem() =>
        Load(Spec.Replace("\"Health\"", "\"health\"").Replace("\"Size\"", "\"size\"").Replace("\"Keep\"", "\"KEEP\"")).Id.ShouldBe("shop");

    [Theory]
    [InlineData("\"Health\"", "\"Helth\"", "$.Helth", "Health")]
    [InlineData("\"Interval\"", "\"Intervall\"", "$.Health.Intervall", "Interval")]
    [InlineData("\"Expect\"", "\"Expct\"", "$.Verify.Expct", "Expect")]
    [InlineData("\"Keep\"", "\"Kepp\"", "$.Standby.Kepp", "Keep")]
    [InlineData("\"AfterFlip\"", "\"AfterFlp\"", "$.Hooks.AfterFlp", "AfterFlip")]
    [InlineData("\"Plugin\": \"proxy-file\"", "\"Plugn\": \"proxy-file\", \"Plugin\": \"proxy-file\"", "$.Proxy.Plugn", "Plugin")]
    [InlineData("\"Size\"", "\"Sise\"", "$.Group.Allocation.Sise", "Size")]
    [InlineData("\"Updating\"", "\"Updatng\"", "$.Group.Updatng", "Updating")]
    [InlineData("\"Surge\"", "\"Surg\"", "$.Group.Updating.Surg", "Surge")]
    [InlineData("\"Properties\": { \"UserData\"", "\"Propertes\": { \"UserData\"", "$.Group.Flavor.Propertes", "Properties")]
    [InlineData("\"Labels\"", "\"Lables\"", "$.Group.Flavor.Properties.Lables", "Labels")]
    [InlineData("\"StopTimeout\"", "\"StopTimout\"", "$.Group.Instance.Properties.StopTimout", "StopTimeout")]
    [InlineData("\"To\": 18199", "\"Too\": 18199, \"To\": 18199", "$.Group.Instance.Properties.Ports.Too", "To")]
    [InlineData("\"Path\": \"proxy.json\"", "\"Path\": \"proxy.json\", \"Pth\": 1", "$.Proxy.Properties.Pth", "Path")]
    public void Load_MisspelledField_UnknownFieldWithPathAndClosestName(string field, string typo, string path, string closest)
    {
        var e = Should.Throw<DeployException>(() => Load(Spec.Replace(field, typo)));

        e.ExitCode.ShouldBe(2);
        e.Diagnostics.ShouldAllBe(x => x.Code == Errors.UnknownField || x.Code == Errors.Missing); // Sise also leaves Size missing
        var d = e.Diagnostics.Single(x => x.Code == Errors.UnknownField);
        d.Path.ShouldBe(path);
        d.Message.ShouldContain($"did you mean \"{closest}\"?");
        d.Line.ShouldNotBeNull();
    }

    [Fact]
    public void Load_UnknownTopLevelField_ListsTheKnownFields()
    {
        var e = Should.Throw<DeployException>(() => Load(Spec.Replace("\"Standby\"", "\"Replicas\": 3, \"Standby\"")));

        e.Diagnostics.Single().ToString().ShouldEndWith(
            "error DEPLOY1016: $.Replicas: unknown field \"Replicas\"; remove it or use one of the known: ID, Vars, Colours, Group, Health, Verify, Proxy, Hooks, Secrets, Standby, $schema");
    }

    [Fact]
    public void Load_UnknownFieldInColourPatch_Reported()
    {
        var e = Should.Throw<DeployException>(() => Load(Spec.Replace("\"blue\": {}", "\"blue\": { \"Allocation\": { \"Sise\": 3 } }")));

        e.Diagnostics.ShouldContain(d => d.Code == Errors.UnknownField && d.Message.Contains("did you mean \"Size\"?"));
    }

    [Fact]
    public void Load_InstanceFileProperties_KeepAnyField()
    {
        var spec = Spec.Replace("\"instance-process\"", "\"instance-file\"").Replace("\"StopTimeout\": \"5s\"", "\"Anything\": {\"Goes\": 1}")
            .Split('\n').Where(line => !line.TrimStart().StartsWith("\"Health\"") && !line.TrimStart().StartsWith("\"Verify\"")).Aggregate((a, b) => a + "\n" + b);

        Load(spec).Colour("blue").Group.Properties.Instance.Properties!.Value.GetProperty("Anything").GetProperty("Goes").GetInt32().ShouldBe(1);
    }

    [Fact]
    public void GroupSpecLoad_UnknownTopLevelAndNestedFields_EveryOneReported()
    {
        var file = _dir.Write("group.json", """
            {
              "ID": "g",
              "Propertis": {},
              "Properties": {
                "Allocation": { "Size": 1, "Sizes": 2 },
                "Instance": { "Plugin": "instance-file", "Properties": { "Whatever": true } },
                "Flavor": { "Plugin": "flavor-vanilla", "Properties": { "Init": "x", "Tgas": {} } },
                "Updating": { "Count": 1, "Deadlien": "1m" }
              }
            }
            """);

        var e = Should.Throw<DeployException>(() => GroupSpecLoader.Load(file, _dir.Plugins));

        e.Diagnostics.Select(d => (d.Code, d.Path, d.Line)).ShouldBe(
        [
            (Errors.UnknownField, "$.Propertis", 3),
            (Errors.UnknownField, "$.Properties.Allocation.Sizes", 5),
            (Errors.UnknownField, "$.Properties.Updating.Deadlien", 8),
            (Errors.UnknownField, "$.Properties.Flavor.Properties.Tgas", 7),
        ], ignoreOrder: true);
    }

    [Theory]
    [InlineData("app-blue-group.json")]
    [InlineData("app-blue-group-2.json")]
    [InlineData("app-green-group.json")]
    public void GroupSpecLoad_SeedTutorialFiles_StillLoad(string file) =>
        GroupSpecLoader.Load(Path.Combine(Repo.Root, "examples", "tutorial", file), _dir.Plugins).Spec.Properties.Allocation.Size.ShouldBe(2);

    public void Dispose() => _dir.Dispose();
}
