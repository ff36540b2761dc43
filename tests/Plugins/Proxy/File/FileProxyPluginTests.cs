using System.Text.Json;
using Deploy.Engine.Diagnostics;
using Deploy.Engine.Plugins.Proxy;
using Deploy.Engine.Plugins.Proxy.File;

namespace Deploy.Tests.Plugins.Proxy.File;

public sealed class FileProxyPluginTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("deploy-proxy-file-").FullName;
    private readonly FileProxyPlugin _plugin = new();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task ApplyAsync_ThenCurrentAsync_ReturnsTheSameRoute()
    {
        var target = Target(path: Path.Combine(_dir, "route.json"));
        var route = new ProxyRoute(App: "shop", Colour: "green", ConfigHash: "abc123", Servers: ["127.0.0.1:18101", "127.0.0.1:18102"], Backups: ["127.0.0.1:18201"]);

        await _plugin.ApplyAsync(target, route, CancellationToken.None);
        var current = await _plugin.CurrentAsync(target, CancellationToken.None);

        current.ShouldNotBeNull();
        current.App.ShouldBe("shop");
        current.Colour.ShouldBe("green");
        current.ConfigHash.ShouldBe("abc123");
        current.Servers.ShouldBe(["127.0.0.1:18101", "127.0.0.1:18102"]);
        current.Backups.ShouldBe(["127.0.0.1:18201"]);
        using var written = JsonDocument.Parse(await System.IO.File.ReadAllTextAsync(Path.Combine(_dir, "route.json")));
        written.RootElement.GetProperty("Updated").GetDateTimeOffset().ShouldBeGreaterThan(DateTimeOffset.UtcNow.AddMinutes(-1));
    }

    [Fact]
    public async Task ApplyAsync_RelativePath_WritesBesideTheSpec()
    {
        var target = Target(path: "proxy/route.json");

        await _plugin.ApplyAsync(target, new ProxyRoute(App: "shop", Colour: null, ConfigHash: null, Servers: [], Backups: []), CancellationToken.None);

        System.IO.File.Exists(Path.Combine(_dir, "proxy", "route.json")).ShouldBeTrue();
        (await _plugin.CurrentAsync(target, CancellationToken.None))!.Colour.ShouldBeNull();
    }

    [Fact]
    public async Task CurrentAsync_NoFile_ReturnsNull()
    {
        (await _plugin.CurrentAsync(Target(path: "missing/route.json"), CancellationToken.None)).ShouldBeNull();
    }

    [Fact]
    public async Task CurrentAsync_CorruptFile_ThrowsPluginFailedNamingTheFile()
    {
        var file = Path.Combine(_dir, "route.json");
        await System.IO.File.WriteAllTextAsync(file, "{ not json");

        var error = await Should.ThrowAsync<DeployException>(() => _plugin.CurrentAsync(Target(path: "route.json"), CancellationToken.None));

        error.Diagnostics.Single().Code.ShouldBe(Errors.PluginFailed);
        error.Diagnostics.Single().File.ShouldBe(file);
        error.Message.ShouldContain(file);
    }

    [Fact]
    public void Validate_PathMissingAndUnknownProperty_ReportsBothWithPaths()
    {
        var errors = _plugin.Validate(JsonSerializer.SerializeToElement(new { Pth = "x" }), "$.Proxy.Properties").ToList();

        errors.Select(e => (e.Code, e.Path)).ShouldBe(
            [(Errors.UnknownField, "$.Proxy.Properties.Pth"), (Errors.Missing, "$.Proxy.Properties.Path")], ignoreOrder: true);
    }

    [Fact]
    public void Validate_PathGiven_ReportsNothing()
    {
        _plugin.Validate(JsonSerializer.SerializeToElement(new { Path = "route.json" }), "$.Proxy.Properties").ShouldBeEmpty();
    }

    private ProxyTarget Target(string path) => new(JsonSerializer.SerializeToElement(new { Path = path }), _dir);
}
