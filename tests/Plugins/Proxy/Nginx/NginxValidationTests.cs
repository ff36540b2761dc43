using System.Text.Json;
using Deploy.Engine.Commands;
using Deploy.Engine.Diagnostics;
using Deploy.Engine.Plugins.Proxy.Nginx;

namespace Deploy.Tests.Plugins.Proxy.Nginx;

public sealed class NginxValidationTests
{
    private readonly NginxProxyPlugin _plugin = new(new CommandRunner());

    [Fact]
    public void Validate_EveryPropertyWrong_ReportsEachWithItsPath()
    {
        var properties = JsonSerializer.SerializeToElement(new
        {
            Upstream = "my app",
            TestCommand = "nginx -t",
            ReloadCommand = new object[] { "nginx", 3 },
            Url = "ftp://x",
            Colour = "blue",
        });

        var errors = _plugin.Validate(properties, "$.Proxy.Properties").Select(e => (e.Code, e.Path)).ToList();

        errors.ShouldBe(
        [
            (Errors.UnknownField, "$.Proxy.Properties.Colour"),
            (Errors.Missing, "$.Proxy.Properties.UpstreamFile"),
            (Errors.InvalidValue, "$.Proxy.Properties.Upstream"),
            (Errors.WrongType, "$.Proxy.Properties.TestCommand"),
            (Errors.WrongType, "$.Proxy.Properties.ReloadCommand[1]"),
            (Errors.InvalidValue, "$.Proxy.Properties.Url"),
        ], ignoreOrder: true);
    }

    [Fact]
    public void Validate_MissingReloadCommand_SaysHowToFixIt()
    {
        var properties = JsonSerializer.SerializeToElement(new { UpstreamFile = "upstream.conf", Upstream = "app", Url = "http://127.0.0.1:8080/" });

        var error = _plugin.Validate(properties, "$.Proxy.Properties").Single();

        error.ToString().ShouldBe("deploy: error DEPLOY1004: $.Proxy.Properties.ReloadCommand: is required; e.g. [\"nginx\", \"-s\", \"reload\"]");
    }

    [Fact]
    public void Validate_NotAnObject_ReportsThePropertiesPath()
    {
        _plugin.Validate(null, "$.Proxy.Properties").Single().Path.ShouldBe("$.Proxy.Properties");
    }

    [Fact]
    public void Validate_CompleteProperties_ReportsNothing()
    {
        var properties = JsonSerializer.SerializeToElement(new
        {
            UpstreamFile = "nginx/upstream.conf",
            Upstream = "shop_web-1",
            TestCommand = new[] { "nginx", "-t" },
            ReloadCommand = new[] { "nginx", "-s", "reload" },
            Url = "http://127.0.0.1:8080/healthz",
        });

        _plugin.Validate(properties, "$.Proxy.Properties").ShouldBeEmpty();
    }

    [Fact]
    public void Read_RelativePaths_ResolveAgainstTheSpecFolder()
    {
        var properties = JsonSerializer.SerializeToElement(new
        {
            UpstreamFile = "nginx/upstream.conf",
            Upstream = "app",
            ReloadCommand = new[] { "nginx", "-s", "reload" },
            PidFile = "run/nginx.pid",
            Url = "http://127.0.0.1:8080/",
        });

        var settings = NginxSettings.Read(properties, "$.Proxy.Properties", "/srv/shop", new DiagnosticBag())!;

        settings.UpstreamFile.ShouldBe("/srv/shop/nginx/upstream.conf");
        settings.PidFile.ShouldBe("/srv/shop/run/nginx.pid");
    }

    [Fact]
    public void Render_NoServersButBackups_KeepsADownPlaceholderThatParseSkips()
    {
        var route = new Deploy.Engine.Plugins.Proxy.ProxyRoute(App: "shop", Colour: null, ConfigHash: null, Servers: [], Backups: ["127.0.0.1:18201"]);

        var text = NginxUpstream.Render("app", route, [], ["127.0.0.1:18201"]);

        text.ShouldContain("server 127.0.0.1:9 down;");
        var parsed = NginxUpstream.Parse(text)!;
        parsed.Servers.ShouldBeEmpty();
        parsed.Backups.ShouldBe(["127.0.0.1:18201"]);
    }
}
