using System.Text.Json;
using System.Text.Json.Nodes;
using Deploy.Engine.Diagnostics;
using Deploy.Engine.Hashing;
using Deploy.Engine.Spec;

namespace Deploy.Tests.Hashing;

/// <summary>An orchestrated group's config hash: over what its tasks run, not how many, nor how to reach the engine.</summary>
public sealed class ConfigHashOrchestratorTests
{
    private static readonly string Before = ConfigHash.Compute(Orchestrated());

    [Fact]
    public void Compute_ImageChanged_NewHash()
    {
        ConfigHash.Compute(Orchestrated(image: "hello:3")).ShouldNotBe(Before);
    }

    [Fact]
    public void Compute_EnvChanged_NewHash()
    {
        ConfigHash.Compute(Orchestrated(port: "HTTP_PORT")).ShouldNotBe(Before);
    }

    [Fact]
    public void Compute_SizeChangedOnly_SameHash()
    {
        ConfigHash.Compute(Orchestrated(size: 9)).ShouldBe(Before);
    }

    [Fact]
    public void Compute_UpdatingChangedOnly_SameHash()
    {
        ConfigHash.Compute(Orchestrated(updateCount: 3)).ShouldBe(Before);
    }

    [Theory]
    [InlineData("Tls", """{"CertPath": "/etc/docker/certs-rotated"}""")]
    [InlineData("Ssh", """{"Key": "NEW-KEY", "HostKey": "SHA256:def"}""")]
    [InlineData("RegistryAuth", """{"Username": "ci", "Password": "rotated"}""")]
    [InlineData("AllowPlainTcp", "true")]
    public void Compute_CredentialChanged_SameHash(string field, string value)
    {
        var withOld = Orchestrated(credentials: new() { [field] = OldCredentials[field] });
        var withNew = Orchestrated(credentials: new() { [field] = value });

        ConfigHash.Compute(withNew).ShouldBe(ConfigHash.Compute(withOld));
        ConfigHash.Compute(withNew).ShouldBe(Before);
    }

    [Fact]
    public void Compute_HostChanged_NewHash()
    {
        ConfigHash.Compute(Orchestrated(host: "tcp://swarm2.example.com:2376")).ShouldNotBe(ConfigHash.Compute(Orchestrated(host: "tcp://swarm1.example.com:2376")));
    }

    [Fact]
    public void Compute_OtherPluginWithCredentialNamedFields_TheyCount()
    {
        // Only instance-docker's and group-swarm's credentials are left out: another orchestrator's "Tls" may say what runs.
        var a = ConfigHash.Compute(Orchestrated(plugin: "group-memory", credentials: new() { ["Tls"] = "true" }));
        var b = ConfigHash.Compute(Orchestrated(plugin: "group-memory", credentials: new() { ["Tls"] = "false" }));

        a.ShouldNotBe(b);
    }

    private static readonly Dictionary<string, string> OldCredentials = new()
    {
        ["Tls"] = """{"CertPath": "/etc/docker/certs"}""",
        ["Ssh"] = """{"Key": "OLD-KEY", "HostKey": "SHA256:abc"}""",
        ["RegistryAuth"] = """{"Username": "ci", "Password": "old"}""",
        ["AllowPlainTcp"] = "false",
    };

    private static GroupProperties Orchestrated(
        string plugin = "group-swarm",
        string image = "hello:2",
        string port = "PORT",
        int size = 4,
        int? updateCount = null,
        string? host = null,
        Dictionary<string, string>? credentials = null)
    {
        var props = new JsonObject { ["Image"] = image, ["Ports"] = "18200-18399", ["Env"] = new JsonObject { [port] = "{{port}}" } };
        if (host is not null)
        {
            props["Host"] = host;
        }

        foreach (var (field, json) in credentials ?? [])
        {
            props[field] = JsonNode.Parse(json);
        }

        var properties = new JsonObject
        {
            ["Allocation"] = new JsonObject { ["Size"] = size },
            ["Orchestrator"] = new JsonObject { ["Plugin"] = plugin, ["Properties"] = props },
        };
        if (updateCount is not null)
        {
            properties["Updating"] = new JsonObject { ["Count"] = updateCount.Value };
        }

        var bag = new DiagnosticBag();
        using var doc = JsonDocument.Parse(properties.ToJsonString());
        var parsed = GroupSpecParser.ParseProperties(doc.RootElement, "$.Properties", bag);
        bag.Items.ShouldBeEmpty();
        return parsed!;
    }
}
