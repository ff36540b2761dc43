using System.Text.Json;
using System.Text.Json.Nodes;
using Deploy.Engine.Commands;
using Deploy.Engine.Diagnostics;
using Deploy.Engine.Plugins.Proxy.HAProxy;
using Deploy.Engine.Plugins.Proxy.Nginx;

namespace Deploy.Tests.Plugins.Proxy.Container;

/// <summary>Container, Host and Boot of the proxy plugins: every problem reported at its path with a fix, nothing touched.</summary>
public sealed class ProxyContainerValidationTests
{
    private const string At = "$.Proxy.Properties";
    private readonly NginxProxyPlugin _nginx = new(new CommandRunner());
    private readonly HAProxyProxyPlugin _haproxy = new(new CommandRunner());

    [Fact]
    public void Validate_CompleteContainerProperties_ReportsNothing()
    {
        _nginx.Validate(JsonSerializer.SerializeToElement(Nginx()), At).ShouldBeEmpty();
    }

    [Fact]
    public void Validate_BootWithUnknownFieldAndRelativeMount_ReportsEachWithItsPathAndAFix()
    {
        var errors = _nginx.Validate(JsonSerializer.SerializeToElement(Nginx(boot: new JsonObject
        {
            ["Imgae"] = "nginx:1.27",
            ["Mounts"] = new JsonArray("nginx.conf:/etc/nginx/nginx.conf:ro", "/srv/shop/certs:certs", "/srv/a:/b:rx"),
            ["Command"] = "nginx -g 'daemon off;'",
        })), At).ToList();

        errors.Select(e => (e.Code, e.Path)).ShouldBe(
        [
            (Errors.UnknownField, $"{At}.Boot.Imgae"),
            (Errors.Missing, $"{At}.Boot.Image"),
            (Errors.InvalidValue, $"{At}.Boot.Mounts[0]"),
            (Errors.InvalidValue, $"{At}.Boot.Mounts[1]"),
            (Errors.InvalidValue, $"{At}.Boot.Mounts[2]"),
            (Errors.WrongType, $"{At}.Boot.Command"),
        ], ignoreOrder: true);
        errors.Single(e => e.Path == $"{At}.Boot.Imgae").Message.ShouldContain("Image");
        errors.Single(e => e.Path == $"{At}.Boot.Mounts[0]").Message.ShouldBe(
            "the source \"nginx.conf\" must be an absolute path on the Docker host (it is not resolved against the spec's folder: the engine may be another machine); " +
            "e.g. \"/srv/shop/nginx.conf:/etc/nginx/nginx.conf:ro\"");
        errors.Single(e => e.Path == $"{At}.Boot.Mounts[1]").Message.ShouldContain("the target \"certs\" must be an absolute path inside the container");
    }

    [Fact]
    public void Validate_RelativeUpstreamFileAndPidFileWithContainer_EachReportedWithWhy()
    {
        var properties = Nginx();
        properties["UpstreamFile"] = "nginx/upstream.conf";
        properties["PidFile"] = "/run/nginx.pid";

        var errors = _nginx.Validate(JsonSerializer.SerializeToElement(properties), At).ToList();

        errors.Select(e => e.ToString()).ShouldBe(
        [
            $"deploy: error DEPLOY1007: {At}.UpstreamFile: with Container, UpstreamFile is a path inside the container and must be absolute (was \"nginx/upstream.conf\"); e.g. \"/etc/nginx/deploy/upstream.conf\"",
            $"deploy: error DEPLOY1002: {At}.PidFile: cannot be used with Container: it lets Deploy watch the proxy's worker processes on this machine, and this proxy runs in container \"shop-proxy\"; remove PidFile",
        ], ignoreOrder: true);
    }

    [Fact]
    public void Validate_HostAndBootWithoutContainer_SayTheyNeedContainer()
    {
        var properties = Nginx();
        properties.Remove("Container");

        var errors = _nginx.Validate(JsonSerializer.SerializeToElement(properties), At).ToList();

        errors.Select(e => (e.Code, e.Path)).ShouldBe([(Errors.Conflict, $"{At}.Host"), (Errors.Conflict, $"{At}.Boot")], ignoreOrder: true);
        errors[0].Message.ShouldContain("is used only with Container");
    }

    [Fact]
    public void Validate_BadContainerNameAndTcpHost_ReportedAtTheirPaths()
    {
        var properties = Nginx();
        properties["Container"] = "shop proxy";
        properties["Host"] = "tcp://10.0.0.5:2376";

        var errors = _nginx.Validate(JsonSerializer.SerializeToElement(properties), At).ToList();

        errors.Select(e => (e.Code, e.Path)).ShouldBe([(Errors.InvalidValue, $"{At}.Container"), (Errors.InvalidValue, $"{At}.Host")], ignoreOrder: true);
        errors.Single(e => e.Path == $"{At}.Host").Message.ShouldContain("has no TLS");
    }

    [Fact]
    public void Validate_HAProxyRelativeConfigFileWithContainer_NamesConfigFile()
    {
        var properties = JsonSerializer.SerializeToElement(new
        {
            ConfigFile = "backend.cfg",
            Backend = "app",
            ReloadCommand = new[] { "kill", "-USR2", "1" },
            Url = "http://127.0.0.1:8080/",
            Container = "shop-haproxy",
            Host = "unix:///var/run/docker.sock",
        });

        var error = _haproxy.Validate(properties, At).Single();

        (error.Code, error.Path).ShouldBe((Errors.InvalidValue, $"{At}.ConfigFile"));
        error.Message.ShouldContain("e.g. \"/usr/local/etc/haproxy/backend.cfg\"");
    }

    private static JsonObject Nginx(JsonObject? boot = null) => new()
    {
        ["UpstreamFile"] = "/etc/nginx/deploy/upstream.conf",
        ["Upstream"] = "app",
        ["TestCommand"] = new JsonArray("nginx", "-t", "-q"),
        ["ReloadCommand"] = new JsonArray("nginx", "-s", "reload"),
        ["Url"] = "http://127.0.0.1:8080/",
        ["Container"] = "shop-proxy",
        ["Host"] = "unix:///var/run/docker.sock",
        ["Boot"] = boot ?? new JsonObject
        {
            ["Image"] = "nginx:1.27",
            ["Mounts"] = new JsonArray("/srv/shop/nginx.conf:/etc/nginx/nginx.conf:ro"),
        },
    };
}
