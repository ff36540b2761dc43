using Deploy.Engine.Plugins.Proxy;

namespace Deploy.Tests.Plugins.Proxy;

public sealed class ProxyHeaderTests
{
    [Fact]
    public void Parse_FormattedRoute_ReturnsAppColourAndHash()
    {
        var line = ProxyHeader.Format(new ProxyRoute(App: "my shop", Colour: "green", ConfigHash: "3f2a", Servers: [], Backups: []));

        line.ShouldBe("# deploy: app=my%20shop colour=green config_sha=3f2a format=2");
        ProxyHeader.Parse("upstream x {}\n" + line + "\n").ShouldBe(("my shop", "green", "3f2a"));
    }

    [Fact]
    public void Parse_NoLiveColour_ReturnsNullColourAndHash()
    {
        var line = ProxyHeader.Format(new ProxyRoute(App: "shop", Colour: null, ConfigHash: null, Servers: [], Backups: []));

        ProxyHeader.Parse(line).ShouldBe(("shop", null, null));
    }

    [Fact]
    public void Parse_HeaderOfPreviousReleaseWithoutFormat_ReadTheSame()
    {
        ProxyHeader.Parse("# deploy: app=shop colour=blue config_sha=EVEG90wDUS46VUEUZobignv_A3A=\nupstream app {}\n")
            .ShouldBe(("shop", "blue", "EVEG90wDUS46VUEUZobignv_A3A="));
    }

    [Fact]
    public void Parse_HeaderOfNewerFormat_RefusedNamingTheFormat()
    {
        var e = Should.Throw<Deploy.Engine.Diagnostics.DeployException>(() => ProxyHeader.Parse("# deploy: app=shop colour=blue config_sha=x format=7\n"));

        e.Diagnostics.Single().Message.ShouldContain("newer Deploy (format 7");
    }

    [Fact]
    public void Parse_NoHeader_ReturnsNull()
    {
        ProxyHeader.Parse("upstream app {\n    server 127.0.0.1:9 down;\n}\n").ShouldBeNull();
    }
}
