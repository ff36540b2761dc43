using System.Text.Json;
using Deploy.Engine.Diagnostics;
using Deploy.Engine.Docker;
using Deploy.Engine.Events;
using Deploy.Engine.Plugins.Instance.Docker;

namespace Deploy.Tests.Plugins.Instance.Docker;

/// <summary>
/// Validation of the <c>instance-docker</c> plugin's properties: every error at once, each with its JSON path. The engine
/// named by DOCKER_HOST does not exist, so any Docker call would fail: validation makes none.
/// </summary>
public sealed class DockerPropertiesTests : IDisposable
{
    private const string At = "$.Properties.Instance.Properties";
    private const string NoEngine = "unix:///nonexistent/docker.sock";
    private readonly DockerEngines _engines = new();
    private readonly DockerInstancePlugin _plugin;

    public DockerPropertiesTests()
    {
        _plugin = new DockerInstancePlugin(_engines, NullEvents.Instance, name => name == "DOCKER_HOST" ? NoEngine : null);
    }

    public void Dispose() => _engines.Dispose();

    private List<Diagnostic> Diagnostics(string json) => _plugin.Validate(JsonDocument.Parse(json).RootElement, At).ToList();

    private List<(string Code, string? Path)> Validate(string json) => Diagnostics(json).Select(d => (d.Code.Id, d.Path)).ToList();

    [Fact]
    public void Validate_EveryFieldValid_ReportsNothing()
    {
        var errors = Validate("""
            {"Host": "unix:///run/docker.sock", "Image": "127.0.0.1:5000/shop@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
             "Pull": "always", "Command": ["httpd", "-f", "-p", "{{port}}"], "Env": {"PORT": "{{port}}", "TOKEN": "x"},
             "Ports": {"Container": 8080, "Host": "18000-18009", "HostIp": "0.0.0.0"}, "Network": "shop-net",
             "Labels": {"com.example.team": "shop"}, "Mounts": ["/srv/shop:/data:ro", "/var/log/shop:/logs"],
             "RestartPolicy": "on-failure", "StopTimeout": "5s",
             "Healthcheck": {"Test": ["CMD", "nc", "-z", "127.0.0.1", "8080"], "Interval": "2s", "Timeout": "1s", "Retries": 3, "StartPeriod": "0s"}}
            """);

        errors.ShouldBeEmpty();
    }

    [Fact]
    public void Validate_HostNetworkWithOnlyAHostRange_IsEnough()
    {
        Validate("""{"Image": "local/busybox:1", "Network": "host", "Ports": {"Host": "18000"}}""").ShouldBeEmpty();
        Validate("""{"Image": "busybox", "Network": "host", "Ports": {"Host": 18000}}""").ShouldBeEmpty();
    }

    [Fact]
    public void Validate_ManyProblems_ReportsEveryErrorWithItsPath()
    {
        var errors = Validate("""
            {"Pull": "sometimes", "Command": ["app", 8080], "Env": {"A": 1}, "Ports": {"Container": 70000, "Host": "9000-8000"},
             "Labels": {"deploy.group": "x"}, "Mounts": ["data:/data", "/a:relative", "/a:/b:rx"], "RestartPolicy": "never",
             "StopTimeout": "soon", "Healthcheck": {"Test": ["curl", "x"], "Interval": "0s", "Retries": -1}, "Colour": "blue"}
            """);

        errors.ShouldBe(
        [
            (Errors.UnknownField.Id, $"{At}.Colour"),
            (Errors.Missing.Id, $"{At}.Image"),
            (Errors.InvalidValue.Id, $"{At}.Pull"),
            (Errors.WrongType.Id, $"{At}.Command[1]"),
            (Errors.WrongType.Id, $"{At}.Env.A"),
            (Errors.OutOfRange.Id, $"{At}.Ports.Container"),
            (Errors.Conflict.Id, $"{At}.Ports.Host"),
            (Errors.Conflict.Id, $"{At}.Labels['deploy.group']"),
            (Errors.InvalidValue.Id, $"{At}.Mounts[0]"),
            (Errors.InvalidValue.Id, $"{At}.Mounts[1]"),
            (Errors.InvalidValue.Id, $"{At}.Mounts[2]"),
            (Errors.InvalidValue.Id, $"{At}.RestartPolicy"),
            (Errors.InvalidDuration.Id, $"{At}.StopTimeout"),
            (Errors.InvalidValue.Id, $"{At}.Healthcheck.Test"),
            (Errors.OutOfRange.Id, $"{At}.Healthcheck.Interval"),
            (Errors.OutOfRange.Id, $"{At}.Healthcheck.Retries"),
        ], ignoreOrder: true);
    }

    [Theory]
    [InlineData("""{"Image": "x:1", "Ports": {"Container": 80, "Host": "18000-18009"}, "Tag": 1}""", "DEPLOY1016", ".Tag")]
    [InlineData("""{"Image": "x:1", "Pull": "Missing", "Ports": {"Container": 80, "Host": "18000"}}""", "DEPLOY1007", ".Pull")]
    [InlineData("""{"Image": "x:1", "Mounts": ["./data:/data"], "Ports": {"Container": 80, "Host": "18000"}}""", "DEPLOY1007", ".Mounts[0]")]
    [InlineData("""{"Image": "x:1", "Ports": {"Container": 80, "Host": "18000-"}}""", "DEPLOY1007", ".Ports.Host")]
    [InlineData("""{"Image": "x:1", "Ports": {"Container": 80, "Host": "80-90"}}""", "DEPLOY1003", ".Ports.Host")]
    [InlineData("""{"Image": "x:1", "Ports": {"Container": 80, "Host": "18009-18000"}}""", "DEPLOY1002", ".Ports.Host")]
    [InlineData("""{"Image": "x:1", "Ports": {"Container": 80}}""", "DEPLOY1004", ".Ports.Host")]
    [InlineData("""{"Image": "x:1", "Ports": {"Host": "18000"}}""", "DEPLOY1004", ".Ports.Container")]
    [InlineData("""{"Image": "x:1", "Network": "host", "Ports": {"Container": 80, "Host": "18000"}}""", "DEPLOY1002", ".Ports.Container")]
    [InlineData("""{"Image": "x:1", "Network": "host", "Ports": {"Host": "18000", "HostIp": "127.0.0.1"}}""", "DEPLOY1002", ".Ports.HostIp")]
    [InlineData("""{"Image": "x:1", "Ports": {"Container": 80, "Host": "18000", "HostIp": "localhost"}}""", "DEPLOY1007", ".Ports.HostIp")]
    [InlineData("""{"Image": "x:1", "Network": "none", "Ports": {"Container": 80, "Host": "18000"}}""", "DEPLOY1007", ".Network")]
    [InlineData("""{"Image": "x:1"}""", "DEPLOY1004", ".Ports")]
    [InlineData("""{"Image": "Shop:1", "Ports": {"Container": 80, "Host": "18000"}}""", "DEPLOY1007", ".Image")]
    [InlineData("""{"Image": "shop@sha256:abc", "Ports": {"Container": 80, "Host": "18000"}}""", "DEPLOY1007", ".Image")]
    [InlineData("""{"Image": "x:1", "Command": [], "Ports": {"Container": 80, "Host": "18000"}}""", "DEPLOY1007", ".Command")]
    [InlineData("""{"Image": "x:1", "Env": {"URL": "http://{{host}}"}, "Ports": {"Container": 80, "Host": "18000"}}""", "DEPLOY1008", ".Env.URL")]
    [InlineData("""{"Image": "x:1", "Host": "tcp://10.0.0.1:2376", "Ports": {"Container": 80, "Host": "18000"}}""", "DEPLOY1007", ".Host")]
    [InlineData("""{"Image": "x:1", "Healthcheck": {"Interval": "1s"}, "Ports": {"Container": 80, "Host": "18000"}}""", "DEPLOY1004", ".Healthcheck.Test")]
    [InlineData("""{"Image": "x:1", "Healthcheck": {"Test": ["CMD-SHELL", "a", "b"]}, "Ports": {"Container": 80, "Host": "18000"}}""", "DEPLOY1007", ".Healthcheck.Test")]
    public void Validate_OneProblem_ReportsItAtItsPath(string json, string code, string path)
    {
        Validate(json).ShouldBe([(code, At + path)]);
    }

    [Fact]
    public void Validate_NotAnObject_ReportsAtThePropertiesPath()
    {
        Validate("""["busybox"]""").ShouldBe([(Errors.WrongType.Id, At)]);
        _plugin.Validate(null, At).Select(d => (d.Code.Id, d.Path)).ShouldBe([(Errors.Missing.Id, At)]);
    }

    [Fact]
    public void Validate_UnknownField_NamesTheKnownOnesAndTheLikelyOne()
    {
        var message = Diagnostics("""{"Image": "x:1", "Ports": {"Container": 80, "Host": "18000"}, "Enviroment": {}}""").Single().Message;

        message.ShouldContain("Env");
        message.ShouldContain("Healthcheck");
    }

    [Fact]
    public void Validate_Messages_SayHowToFix()
    {
        string MessageOf(string json) => Diagnostics(json).Single().Message;

        MessageOf("""{"Image": "x:1", "Pull": "sometimes", "Ports": {"Container": 80, "Host": "18000"}}""")
            .ShouldContain("missing, always, never");
        MessageOf("""{"Image": "x:1", "Mounts": ["data:/data"], "Ports": {"Container": 80, "Host": "18000"}}""")
            .ShouldContain("not resolved against the spec's folder");
        MessageOf("""{"Image": "x:1", "Network": "host", "Ports": {"Container": 80, "Host": "18000"}}""")
            .ShouldContain("make the app listen on {{port}}");
        MessageOf("""{"Image": "x:1", "Ports": {"Container": 80, "Host": "18009-18000"}}""")
            .ShouldContain("\"18000-18009\"");
    }

    [Fact]
    public void Validate_NoHostAndDockerHostUnusable_ReportsDockerHost()
    {
        var plugin = new DockerInstancePlugin(_engines, NullEvents.Instance, name => name == "DOCKER_HOST" ? "tcp://docker.example.com:2375" : null);

        var error = plugin.Validate(JsonDocument.Parse("""{"Image": "x:1", "Ports": {"Container": 80, "Host": "18000"}}""").RootElement, At).Single();

        error.Path.ShouldBe($"{At}.Host");
        error.Message.ShouldStartWith("DOCKER_HOST: \"tcp://docker.example.com:2375\" has no TLS");
    }
}
