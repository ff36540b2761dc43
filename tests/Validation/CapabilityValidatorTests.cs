using Deploy.Engine.Apps;
using Deploy.Engine.Diagnostics;
using Deploy.Engine.Events;
using Deploy.Engine.Plugins;
using Deploy.Tests.Support;

namespace Deploy.Tests.Validation;

/// <summary>Plugin combinations that cannot work are bad input, found when the spec is loaded (what plan does), not at the flip.</summary>
public sealed class CapabilityValidatorTests : IDisposable
{
    private readonly SpecFolder _dir = new();

    private const string FileApp = """
        {
          "ID": "shop",
          "Group": {
            "Allocation": { "Size": 1 },
            "Instance": { "Plugin": "instance-file", "Properties": {} },
            "Flavor": { "Plugin": "flavor-vanilla", "Properties": {} }
          }
          SECTIONS
        }
        """;

    private DeployException LoadFails(string sections) =>
        Should.Throw<DeployException>(() => _dir.Load(FileApp.Replace("SECTIONS", sections)));

    [Fact]
    public void Load_FileInstancesBehindNginx_ErrorAtProxyPluginWithFix()
    {
        var e = LoadFails(""", "Proxy": { "Plugin": "proxy-nginx", "Properties": { "UpstreamFile": "u.conf", "Upstream": "app", "ReloadCommand": ["true"], "Url": "http://127.0.0.1:1/" } }""");

        e.ExitCode.ShouldBe(2);
        var error = e.Diagnostics.Single();
        error.Path.ShouldBe("$.Proxy.Plugin");
        error.Line.ShouldNotBeNull();
        error.Message.ShouldContain("proxy-nginx routes to instance addresses (host:port), but instance-file instances have none");
        error.Message.ShouldContain("instance-process");
    }

    [Fact]
    public void Load_HealthAndVerifyWithFileInstances_OneErrorEachWithPath()
    {
        var e = LoadFails(""", "Health": { "Path": "/healthz" }, "Verify": { "Path": "/version", "Expect": "1" }""");

        e.Diagnostics.Select(d => d.Path).ShouldBe(["$.Health", "$.Verify"]);
        e.Diagnostics.ShouldAllBe(d => d.Code == Errors.InvalidValue && d.Message.Contains("instance-file instances have none"));
    }

    [Fact]
    public void Load_NginxWithoutUrl_UrlRequired()
    {
        var e = LoadFails(""", "Proxy": { "Plugin": "proxy-nginx", "Properties": { "UpstreamFile": "u.conf", "Upstream": "app", "ReloadCommand": ["true"] } }""");

        e.Diagnostics.ShouldContain(d => d.Path == "$.Proxy.Properties.Url" && d.Code == Errors.Missing && d.Message.Contains("where a flip is seen to take effect"));
    }

    private const string RemoteApp = """
        {
          "ID": "shop",
          "Group": {
            "Allocation": { "Size": 1 },
            "Instance": { "Plugin": "instance-docker", "Properties": {
              "Host": "ssh://deploy@web1.example.com", "Ssh": { "Key": "k", "HostKey": "SHA256:x" },
              "Image": "shop:1", "Network": "host", "Ports": { "Host": "18000-18009" } } },
            "Flavor": { "Plugin": "flavor-vanilla", "Properties": {} }
          },
          "Proxy": { "Plugin": "proxy-nginx", "Properties": { "UpstreamFile": "/etc/nginx/u.conf", "Upstream": "app",
            "ReloadCommand": ["nginx", "-s", "reload"], "Url": "http://127.0.0.1:8080/" PROXY } }
        }
        """;

    [Fact]
    public void Load_InstancesOnARemoteEngine_ProxyOnThisMachine_ErrorSaysToRunItThere()
    {
        var e = Should.Throw<DeployException>(() => _dir.Load(RemoteApp.Replace("PROXY", "")));

        var error = e.Diagnostics.Single();
        (error.Code, error.Path).ShouldBe((Errors.Conflict, "$.Proxy.Properties"));
        error.Message.ShouldContain("run on the Docker engine at ssh://deploy@web1.example.com");
        error.Message.ShouldContain("\"Container\"");
    }

    [Fact]
    public void Load_InstancesOnARemoteEngine_ProxyInAContainerThere_Loads()
    {
        _dir.Load(RemoteApp.Replace("PROXY", """, "Container": "shop-proxy", "Host": "ssh://deploy@web1.example.com", "Ssh": { "Key": "k", "HostKey": "SHA256:x" }"""))
            .Id.ShouldBe("shop");
        Should.Throw<DeployException>(() => _dir.Load(RemoteApp.Replace("PROXY", """, "Container": "shop-proxy", "Host": "ssh://deploy@web2.example.com", "Ssh": { "Key": "k", "HostKey": "SHA256:x" }""")))
            .Diagnostics.Single().Path.ShouldBe("$.Proxy.Properties");
    }

    public void Dispose() => _dir.Dispose();
}
