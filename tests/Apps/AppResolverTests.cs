using Deploy.Engine.Apps;
using Deploy.Engine.Diagnostics;
using Deploy.Engine.Events;
using Deploy.Engine.Plugins;
using Deploy.Tests.Support;

namespace Deploy.Tests.Apps;

public sealed class AppResolverTests : IDisposable
{
    private readonly SpecFolder _dir = new();

    private ResolvedApp Load(string json, IReadOnlyDictionary<string, string>? vars = null, Func<string, string?>? env = null) =>
        _dir.Load(json, vars, env);

    private const string Spec = """
        {
          "ID": "shop",
          "Vars": { "version": "1.0.0" },
          "Colours": { "blue": { "Flavor": { "Properties": { "UserData": ["run -p 80"] } } }, "green": { "Flavor": { "Properties": { "UserData": ["run -p 81"] } } } },
          "Group": {
            "Allocation": { "Size": 2 },
            "Instance": { "Plugin": "instance-addressed", "Properties": { "Note": "{{app}} {{var.version}} on {{colour}}", "Port": "{{port}}" } },
            "Flavor": { "Plugin": "flavor-vanilla", "Properties": { "UserData": ["run"], "Labels": { "tier": "web" } } }
          },
          "Verify": { "Path": "/version", "Expect": "{{var.version}}", "Duration": "{{var.verify}}" },
          "Hooks": { "BeforeFlip": ["./smoke.sh", "{{colour}}"] }
        }
        """;

    [Fact]
    public void Load_ColourPatchesAndPlaceholders_ResolvedPerColour()
    {
        var app = Load(Spec, new Dictionary<string, string> { ["verify"] = "2s", ["version"] = "2.0.0" });

        var green = app.Colour("green");
        green.Group.Id.ShouldBe("shop-green");
        green.Group.Properties.Instance.Properties!.Value.GetProperty("Note").GetString().ShouldBe("shop 2.0.0 on green");
        green.Group.Properties.Instance.Properties!.Value.GetProperty("Port").GetString().ShouldBe("{{port}}");
        green.Group.Properties.Flavor.Properties!.Value.GetProperty("UserData")[0].GetString().ShouldBe("run -p 81");
        green.Group.Properties.Flavor.Properties!.Value.GetProperty("Labels").GetProperty("tier").GetString().ShouldBe("web");
        green.Verify!.Expect.ShouldBe("2.0.0");
        green.Verify.Duration.ShouldBe(TimeSpan.FromSeconds(2));
        green.Hooks.BeforeFlip.Single().ShouldBe(["./smoke.sh", "green"]);
        app.First.Colour.ShouldBe("blue");
    }

    [Fact]
    public void Load_SameInputsTwice_SameHashPerColourAndDifferentAcrossColours()
    {
        var vars = new Dictionary<string, string> { ["verify"] = "2s" };

        var a = Load(Spec, vars);
        var b = Load(Spec.Replace("\"Size\": 2", "\"Size\": 5"), vars);

        a.Colour("blue").ConfigHash.ShouldBe(b.Colour("blue").ConfigHash);
        a.Colour("blue").ConfigHash.ShouldNotBe(a.Colour("green").ConfigHash);
        Load(Spec, new Dictionary<string, string> { ["verify"] = "2s", ["version"] = "2" }).Colour("blue").ConfigHash.ShouldNotBe(a.Colour("blue").ConfigHash);
    }

    [Fact]
    public void Load_UnknownPlaceholdersAndBadDuration_EveryErrorWithPath()
    {
        var e = Should.Throw<DeployException>(() => Load(Spec.Replace("{{app}}", "{{ap}}").Replace("/version", "version")));

        e.ExitCode.ShouldBe(2);
        var text = string.Join("\n", e.Diagnostics);
        text.ShouldContain("error DEPLOY1008: $.Group.Instance.Properties.Note: unknown placeholder {{ap}}");
        text.ShouldContain("error DEPLOY1008: $.Verify.Duration: {{var.verify}} has no value; add \"verify\" to Vars or pass --var verify=VALUE");
        text.ShouldContain("error DEPLOY1007: $.Verify.Path: must start with '/'");
        e.Diagnostics.ShouldAllBe(d => d.File != null && d.Line != null);
    }

    [Fact]
    public void Load_SecretFromEnvironment_MaskedAndTemplatedInCommittedJson()
    {
        var spec = Spec.Replace("\"Note\": \"{{app}}", "\"Password\": \"{{var.db_password}}\", \"Note\": \"{{app}}").Replace("\"Hooks\"", "\"Secrets\": [\"db_password\"], \"Hooks\"");

        var app = Load(spec, new Dictionary<string, string> { ["verify"] = "1s" }, name => name == "DEPLOY_VAR_db_password" ? "hunter2" : null);

        app.SecretValues.ShouldBe(["hunter2"]);
        app.Colour("blue").Group.Properties.Instance.Properties!.Value.GetProperty("Password").GetString().ShouldBe("hunter2");
        app.Colour("blue").GroupJson.ShouldNotContain("hunter2");
        app.Colour("blue").GroupJson.ShouldContain("{{var.db_password}}");
    }

    [Fact]
    public void Load_SecretMissing_ErrorNamesHowToPassIt()
    {
        var spec = Spec.Replace("\"Hooks\"", "\"Secrets\": [\"db_password\"], \"Hooks\"");

        var e = Should.Throw<DeployException>(() => Load(spec, new Dictionary<string, string> { ["verify"] = "1s" }));

        e.Diagnostics.Single().Message.ShouldContain("DEPLOY_VAR_db_password");
    }

    [Fact]
    public void Load_ThreeColours_Refused()
    {
        var e = Should.Throw<DeployException>(() => Load(Spec.Replace("\"Colours\": {", "\"Colours\": { \"red\": {},")));

        e.Diagnostics.ShouldContain(d => d.Path == "$.Colours" && d.Message.Contains("exactly two colours"));
    }

    [Fact]
    public void MergePatch_NullRemovesAndObjectsMerge()
    {
        var target = System.Text.Json.Nodes.JsonNode.Parse("""{"a":1,"b":{"c":2,"d":3}}""");
        var patch = System.Text.Json.Nodes.JsonNode.Parse("""{"a":null,"b":{"c":9},"e":[1]}""");

        MergePatch.Apply(target, patch)!.ToJsonString().ShouldBe("""{"b":{"c":9,"d":3},"e":[1]}""");
        target!.ToJsonString().ShouldBe("""{"a":1,"b":{"c":2,"d":3}}""");
    }

    [Theory]
    [InlineData("quickstart/app.json")]
    [InlineData("nginx/shop.json")]
    [InlineData("haproxy/shop.json")]
    public void Load_Examples_Valid(string example)
    {
        var app = _dir.LoadFile(Path.Combine(Repo.Root, "examples", example));

        app.Colours.Select(c => c.Colour).ShouldBe(["blue", "green"]);
    }

    public void Dispose() => _dir.Dispose();
}
