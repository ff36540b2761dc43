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
    public void Compute_DockerCredentialsRotated_SameHash_ImageChanged_NewHash()
    {
        static string Hash(string properties) => ConfigHash.Compute(
            new PluginSpec("instance-docker", JsonDocument.Parse(properties).RootElement), new PluginSpec("flavor-vanilla", null));
        var before = Hash("""{"Host": "ssh://deploy@web1", "Ssh": {"Key": "old"}, "RegistryAuth": {"Username": "ci", "Password": "old"}, "Image": "shop:1"}""");

        Hash("""{"Host": "ssh://deploy@web1", "Ssh": {"Key": "new"}, "RegistryAuth": {"Username": "ci", "Password": "new"}, "Image": "shop:1"}""").ShouldBe(before);
        Hash("""{"Host": "ssh://deploy@web1", "Image": "shop:1"}""").ShouldBe(before);
        Hash("""{"Host": "ssh://deploy@web1", "Ssh": {"Key": "old"}, "Image": "shop:2"}""").ShouldNotBe(before);
        Hash("""{"Host": "ssh://deploy@web2", "Ssh": {"Key": "old"}, "Image": "shop:1"}""").ShouldNotBe(before);
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

    [Fact]
    public void MarshalIndent_KeysAboveU10000AndPrivateUse_SortedByUtf8BytesAsGoDoes()
    {
        // UTF-16 puts U+1F600 (surrogates D83D DE00) before U+E000; Go compares UTF-8 bytes: EE 80 80 < F0 9F 98 80.
        using var doc = JsonDocument.Parse("{\"\\ud83d\\ude00\": 1, \"\\ue000\": 2, \"z\": 3, \"\\u00e9\": 4}");

        GoJson.MarshalIndent(doc.RootElement).ShouldBe(
            "{\n    \"z\": 3,\n    \"\u00e9\": 4,\n    \"\ue000\": 2,\n    \"\U0001F600\": 1\n  }");
    }

    [Fact]
    public void Compute_KeyAboveU10000_HashFollowsUtf8KeyOrder()
    {
        var a = Properties("{\"Allocation\":{\"Size\":1},\"Instance\":{\"Plugin\":\"instance-file\",\"Properties\":{\"\\ud83d\\ude00\":1,\"\\ue000\":2}},\"Flavor\":{\"Plugin\":\"flavor-vanilla\"}}");

        // SHA-1 of the Go text with "\ue000" before "\U0001F600"; UTF-16 order would give a different hash.
        ConfigHash.Compute(a).ShouldBe("5AHo9Z8Vak1viLhzAhZs9DX8-Eo=");
    }

    // Outputs of Go 1.7's strconv.AppendFloat(f, 'g', -1, 64), which encoding/json used until Go 1.8.
    [Theory]
    [InlineData(0.0, "0")]
    [InlineData(-0.0, "-0")]
    [InlineData(1.0, "1")]
    [InlineData(1.5, "1.5")]
    [InlineData(-42.25, "-42.25")]
    [InlineData(0.1, "0.1")]
    [InlineData(100000.0, "100000")]
    [InlineData(123456.0, "123456")]
    [InlineData(123456.7, "123456.7")]
    [InlineData(1000000.0, "1e+06")]
    [InlineData(1234567.0, "1.234567e+06")]
    [InlineData(123456789.0, "1.23456789e+08")]
    [InlineData(4294967296.0, "4.294967296e+09")]
    [InlineData(1e20, "1e+20")]
    [InlineData(1e21, "1e+21")]
    [InlineData(1e100, "1e+100")]
    [InlineData(1.7976931348623157e308, "1.7976931348623157e+308")]
    [InlineData(0.0001, "0.0001")]
    [InlineData(0.000123, "0.000123")]
    [InlineData(0.00001, "1e-05")]
    [InlineData(0.000001, "1e-06")]
    [InlineData(1.5e-10, "1.5e-10")]
    [InlineData(-2.5e-7, "-2.5e-07")]
    [InlineData(5e-324, "5e-324")]
    public void FormatFloat_Value_MatchesGo17ShortestG(double value, string expected) => GoJson.FormatFloat(value).ShouldBe(expected);

    private static GroupProperties Properties(string json)
    {
        var bag = new Deploy.Engine.Diagnostics.DiagnosticBag();
        var props = GroupSpecParser.ParseProperties(JsonSource.Parse("p.json", System.Text.Encoding.UTF8.GetBytes(json)).Root, "$", bag);
        bag.HasErrors.ShouldBeFalse(string.Join("\n", bag.Items));
        return props!;
    }
}
