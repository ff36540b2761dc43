using System.Text.Json;
using Deploy.Engine.Diagnostics;
using Deploy.Engine.Docker;
using Deploy.Engine.Events;
using Deploy.Engine.Plugins.Group.Swarm;

namespace Deploy.Tests.Plugins.Group.Swarm;

/// <summary>Reading the <c>group-swarm</c> plugin's properties: every error at its path, each with a fix; no Docker call.</summary>
public sealed class SwarmPropertiesTests
{
    private const string At = "$.Properties.Orchestrator.Properties";

    [Fact]
    public void Read_EveryFieldValid_ReadsThemAll()
    {
        var (p, errors) = Read("""
            {"Host": "unix:///run/docker.sock", "Image": "registry.example.com/shop:1.2.0",
             "RegistryAuth": {"Username": "ci", "Password": "s3cret"}, "Command": ["shop", "--port", "{{port}}"],
             "Env": {"PORT": "{{port}}", "MODE": "prod"}, "Ports": "18200-18399", "Network": "host",
             "Constraints": ["node.role==worker", "node.labels.zone!=b"], "MaxReplicasPerNode": 2, "StopGracePeriod": "30s", "Init": false}
            """);

        errors.ShouldBeEmpty();
        p!.Image.Text.ShouldBe("registry.example.com/shop:1.2.0");
        p.RegistryAuth.ShouldNotBeNull();
        p.RegistryAuth.Username.ShouldBe("ci");
        p.Command.ShouldBe(["shop", "--port", "{{port}}"]);
        p.Env.ShouldBe(new Dictionary<string, string> { ["PORT"] = "{{port}}", ["MODE"] = "prod" }, ignoreOrder: true);
        p.Ports.ShouldBe((18200, 18399));
        p.Blocks().ShouldBe([18200, 18300]);
        p.Constraints.ShouldBe(["node.role==worker", "node.labels.zone!=b"]);
        p.MaxReplicasPerNode.ShouldBe(2);
        p.StopGracePeriod.ShouldBe(TimeSpan.FromSeconds(30));
        p.Init.ShouldBeFalse();
    }

    [Fact]
    public void Read_OnlyRequiredFields_Defaults()
    {
        var (p, errors) = Read("""{"Image": "hello:2", "Ports": "18200-18299", "Env": {"PORT": "{{port}}"}}""");

        errors.ShouldBeEmpty();
        p!.Blocks().ShouldBe([18200]);
        p.Command.ShouldBeNull();
        p.RegistryAuth.ShouldBeNull();
        p.Constraints.ShouldBeEmpty();
        p.MaxReplicasPerNode.ShouldBe(0);
        p.StopGracePeriod.ShouldBe(TimeSpan.FromSeconds(10));
        p.Init.ShouldBeTrue();
    }

    [Fact]
    public void Read_PortOnlyInCommand_IsEnough()
    {
        var (p, errors) = Read("""{"Image": "hello:2", "Ports": "18200-18299", "Command": ["httpd", "-p", "{{port}}"]}""");

        errors.ShouldBeEmpty();
        p!.Env.ShouldBeEmpty();
    }

    [Fact]
    public void Blocks_RangeNotAWholeNumberOfBlocks_OnlyWholeBlocks()
    {
        var (p, _) = Read("""{"Image": "hello:2", "Ports": "18200-18450", "Env": {"PORT": "{{port}}"}}""");

        p!.Blocks().ShouldBe([18200, 18300]);
    }

    [Theory]
    [InlineData("""{"Ports": "18200-18399", "Env": {"PORT": "{{port}}"}}""", "DEPLOY1004", ".Image", "e.g. \"registry.example.com/shop:1.2.0\"")]
    [InlineData("""{"Image": "hello:2", "Ports": "18250-18449", "Env": {"PORT": "{{port}}"}}""", "DEPLOY1007", ".Ports", "e.g. \"18200-18399\"")]
    [InlineData("""{"Image": "hello:2", "Ports": "18200-18250", "Env": {"PORT": "{{port}}"}}""", "DEPLOY1007", ".Ports", "at least 100 ports")]
    [InlineData("""{"Image": "hello:2", "Ports": "18200", "Env": {"PORT": "{{port}}"}}""", "DEPLOY1007", ".Ports", "e.g. \"18200-18399\"")]
    [InlineData("""{"Image": "hello:2", "Ports": "1000-1099", "Env": {"PORT": "{{port}}"}}""", "DEPLOY1007", ".Ports", "(1024-65535)")]
    [InlineData("""{"Image": "hello:2", "Ports": 18200, "Env": {"PORT": "{{port}}"}}""", "DEPLOY1005", ".Ports", "e.g. \"18200-18399\"")]
    [InlineData("""{"Image": "hello:2", "Ports": "18200-18299", "Network": "bridge", "Env": {"PORT": "{{port}}"}}""", "DEPLOY1007", ".Network", "remove Network")]
    [InlineData("""{"Image": "hello:2", "Ports": "18200-18299", "Constraints": ["node.hostnam==x"], "Env": {"PORT": "{{port}}"}}""", "DEPLOY1007", ".Constraints[0]", "write KEY==VALUE or KEY!=VALUE")]
    [InlineData("""{"Image": "hello:2", "Ports": "18200-18299", "Constraints": ["node.role==worker", "foo"], "Env": {"PORT": "{{port}}"}}""", "DEPLOY1007", ".Constraints[1]", "node.labels.NAME")]
    [InlineData("""{"Image": "hello:2", "Ports": "18200-18299", "Constraints": "node.role==worker", "Env": {"PORT": "{{port}}"}}""", "DEPLOY1005", ".Constraints", "e.g. [\"node.role==worker\"]")]
    [InlineData("""{"Image": "hello:2", "Ports": "18200-18299", "Env": {"MODE": "prod"}}""", "DEPLOY1004", ".Env", "\"Env\": {\"PORT\": \"{{port}}\"}")]
    [InlineData("""{"Image": "hello:2", "Ports": "18200-18299"}""", "DEPLOY1004", ".Env", "\"Env\": {\"PORT\": \"{{port}}\"}")]
    [InlineData("""{"Image": "hello:2", "Ports": "18200-18299", "Env": {"PORT": "{{port}}"}, "Replicas": 3}""", "DEPLOY1016", ".Replicas", "Replicas")]
    [InlineData("""{"Image": "hello:2", "Ports": "18200-18299", "Env": {"PORT": "{{port}}"}, "MaxReplicasPerNode": -1}""", "DEPLOY1003", ".MaxReplicasPerNode", "at least 0")]
    public void Read_OneProblem_ReportsItAtItsPathWithAFix(string json, string code, string path, string fix)
    {
        var (p, errors) = Read(json);

        p.ShouldBeNull();
        var error = errors.ShouldHaveSingleItem();
        (error.Code.Id, error.Path).ShouldBe((code, At + path));
        error.Message.ShouldContain(fix);
    }

    [Fact]
    public void Read_ManyProblems_ReportsEveryOne()
    {
        var (p, errors) = Read("""{"Ports": "18250-18300", "Network": "bridge", "Constraints": ["foo"], "Env": {"MODE": "prod"}}""");

        p.ShouldBeNull();
        errors.Select(d => (d.Code, d.Path)).ShouldBe(
        [
            (Errors.Missing, $"{At}.Image"),
            (Errors.InvalidValue, $"{At}.Ports"),
            (Errors.InvalidValue, $"{At}.Network"),
            (Errors.InvalidValue, $"{At}.Constraints[0]"),
            (Errors.Missing, $"{At}.Env"),
        ], ignoreOrder: true);
    }

    [Fact]
    public void Read_NotAnObject_ReportsAtThePropertiesPath()
    {
        var bag = new DiagnosticBag();

        SwarmProperties.Read(null, At, bag, _ => null).ShouldBeNull();

        bag.Items.Select(d => (d.Code, d.Path)).ShouldBe([(Errors.Missing, At)]);
    }

    [Fact]
    public void Describe_ValidProperties_ServiceRunningItsImage()
    {
        using var engines = new DockerEngines();
        var plugin = new SwarmGroupPlugin(engines, NullEvents.Instance, environment: _ => null);
        using var doc = JsonDocument.Parse("""{"Image": "hello:2", "Ports": "18200-18299", "Env": {"PORT": "{{port}}"}}""");

        plugin.Describe(doc.RootElement).ShouldBe(("service", "image hello:2"));
    }

    [Theory]
    [InlineData("node.hostname==web1", "node.hostname", true, "web1")]
    [InlineData("node.role != manager", "node.role", false, "manager")]
    [InlineData("NODE.ROLE==Worker", "NODE.ROLE", true, "Worker")]
    [InlineData("node.labels.zone==eu-1a", "node.labels.zone", true, "eu-1a")]
    [InlineData("engine.labels.disk!=hdd", "engine.labels.disk", false, "hdd")]
    [InlineData("node.platform.arch==x86_64", "node.platform.arch", true, "x86_64")]
    public void TryParse_Constraint_KeyOperatorAndValue(string text, string key, bool equal, string value)
    {
        SwarmConstraint.TryParse(text).ShouldBe(new SwarmConstraint(Key: key, Equal: equal, Value: value));
    }

    [Theory]
    [InlineData("node.hostnam==x")]
    [InlineData("foo")]
    [InlineData("node.role=worker")]
    [InlineData("node.role==")]
    [InlineData("node.labels.==a")]
    [InlineData("")]
    public void TryParse_NotAConstraint_Null(string text)
    {
        SwarmConstraint.TryParse(text).ShouldBeNull();
    }

    [Fact]
    public void ToString_ParsedConstraint_SwarmsForm()
    {
        SwarmConstraint.TryParse("node.role != manager")!.ToString().ShouldBe("node.role!=manager");
    }

    [Theory]
    [InlineData("node.hostname==web1", true)]
    [InlineData("node.hostname==web2", false)]
    [InlineData("node.hostname!=web2", true)]
    [InlineData("node.id==n1", true)]
    [InlineData("node.role==worker", true)]
    [InlineData("node.role==WORKER", true)]
    [InlineData("NODE.ROLE==worker", true)]
    [InlineData("node.role==manager", false)]
    [InlineData("node.role!=manager", true)]
    [InlineData("node.labels.zone==a", true)]
    [InlineData("node.labels.zone==b", false)]
    [InlineData("node.labels.zone!=b", true)]
    [InlineData("node.labels.rack==r1", false)]
    [InlineData("node.labels.rack!=r1", true)]
    [InlineData("engine.labels.disk==ssd", true)]
    [InlineData("node.platform.os==linux", true)]
    [InlineData("node.platform.arch==aarch64", false)]
    public void Matches_WorkerInZoneA_ComparesAsSwarmDoes(string constraint, bool matches)
    {
        var node = Node(id: "n1", hostname: "web1", role: "worker", labels: new() { ["zone"] = "a" }, engineLabels: new() { ["disk"] = "ssd" });

        SwarmConstraint.TryParse(constraint)!.Matches(node).ShouldBe(matches);
    }

    private static (SwarmProperties? Properties, IReadOnlyList<Diagnostic> Errors) Read(string json)
    {
        var bag = new DiagnosticBag();
        using var doc = JsonDocument.Parse(json);
        var properties = SwarmProperties.Read(doc.RootElement, At, bag, environment: _ => null);
        return (properties, bag.Items);
    }

    private static SwarmNode Node(
        string id, string hostname, string role, Dictionary<string, string>? labels = null, Dictionary<string, string>? engineLabels = null) => new(
        Id: id,
        Hostname: hostname,
        Role: role,
        Os: "linux",
        Arch: "x86_64",
        Address: "10.0.0.1",
        Ready: true,
        Labels: labels ?? [],
        EngineLabels: engineLabels ?? []);
}
