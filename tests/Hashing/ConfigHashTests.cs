using System.Text.Json;
using Deploy.Engine.Hashing;
using Deploy.Engine.Json;
using Deploy.Engine.Plugins;
using Deploy.Engine.Plugins.Flavor;
using Deploy.Engine.Plugins.Instance;
using Deploy.Engine.Plugins.Proxy;
using Deploy.Engine.Events;
using Deploy.Engine.Spec;
using Deploy.Tests.Support;

namespace Deploy.Tests.Hashing;

public sealed class ConfigHashTests
{
    private static readonly PluginRegistry Plugins = new(
        [new FileInstancePlugin(Path.GetTempPath(), NullEvents.Instance)], [new VanillaFlavor()], Array.Empty<IProxyPlugin>());

    [Theory]
    [InlineData("app-blue-group.json", "l9lqpBGJSWIrDOtrliJRGSK1y60=")]
    [InlineData("app-blue-group-2.json", "jHUgS68HiWOOPrTmbHy00-YV9QI=")]
    public void Compute_SeedTutorialFiles_MatchInfraKitHashes(string file, string expected)
    {
        var (spec, _) = GroupSpecLoader.Load(Path.Combine(Repo.Root, "examples", "tutorial", file), Plugins);

        ConfigHash.Compute(spec.Properties).ShouldBe(expected);
    }

    [Fact]
    public void Compute_KeysReorderedAtEveryDepth_SameHash()
    {
        var a = Properties("""{"Allocation":{"Size":1},"Instance":{"Plugin":"instance-file","Properties":{"a":1,"b":{"x":[1,2],"y":"z"}}},"Flavor":{"Plugin":"flavor-vanilla","Properties":{"Labels":{"k":"v","j":"w"}}}}""");
        var b = Properties("""{"Flavor":{"Properties":{"Labels":{"j":"w","k":"v"}},"Plugin":"flavor-vanilla"},"Instance":{"Properties":{"b":{"y":"z","x":[1,2]},"a":1},"Plugin":"instance-file"},"Allocation":{"Size":1}}""");

        ConfigHash.Compute(a).ShouldBe(ConfigHash.Compute(b));
    }

    [Fact]
    public void Compute_SizeChangedOnly_SameHash()
    {
        var a = Properties("""{"Allocation":{"Size":1},"Instance":{"Plugin":"instance-file"},"Flavor":{"Plugin":"flavor-vanilla"}}""");
        var b = Properties("""{"Allocation":{"Size":9},"Instance":{"Plugin":"instance-file"},"Flavor":{"Plugin":"flavor-vanilla"}}""");

        ConfigHash.Compute(a).ShouldBe(ConfigHash.Compute(b));
    }

    [Fact]
    public void Compute_FlavorChangedOnly_DifferentHash()
    {
        var a = Properties("""{"Allocation":{"Size":1},"Instance":{"Plugin":"instance-file"},"Flavor":{"Plugin":"flavor-vanilla","Properties":{"UserData":["a"]}}}""");
        var b = Properties("""{"Allocation":{"Size":1},"Instance":{"Plugin":"instance-file"},"Flavor":{"Plugin":"flavor-vanilla","Properties":{"UserData":["b"]}}}""");

        ConfigHash.Compute(a).ShouldNotBe(ConfigHash.Compute(b));
    }

    [Fact]
    public void MarshalIndent_NestedValues_MatchesGoLayoutAndEscaping()
    {
        using var doc = JsonDocument.Parse("""{"b":[1,{"z":true,"a":null}],"a":"<x & y>","e":{},"f":[]}""");

        GoJson.MarshalIndent(doc.RootElement).ShouldBe(
            "{\n    \"a\": \"\\u003cx \\u0026 y\\u003e\",\n    \"b\": [\n      1,\n      {\n        \"a\": null,\n        \"z\": true\n      }\n    ],\n    \"e\": {},\n    \"f\": []\n  }");
    }

    [Theory]
    [InlineData(1.0, "1")]
    [InlineData(1.5, "1.5")]
    [InlineData(100000000000000000000.0, "100000000000000000000")]
    [InlineData(1e21, "1e+21")]
    [InlineData(0.000001, "0.000001")]
    [InlineData(0.0000001, "1e-7")]
    [InlineData(1.5e-10, "1.5e-10")]
    [InlineData(-42.25, "-42.25")]
    [InlineData(123456789.0, "123456789")]
    [InlineData(0.1, "0.1")]
    public void FormatFloat_GoFloat64Encoding(double value, string expected) => GoJson.FormatFloat(value).ShouldBe(expected);

    private static GroupProperties Properties(string json)
    {
        var bag = new Deploy.Engine.Diagnostics.DiagnosticBag();
        var props = GroupSpecParser.ParseProperties(JsonSource.Parse("p.json", System.Text.Encoding.UTF8.GetBytes(json)).Root, "$", bag);
        bag.HasErrors.ShouldBeFalse(string.Join("\n", bag.Items));
        return props!;
    }
}
