using System.Diagnostics;
using Deploy.Tests.Fixtures;
using Deploy.Tests.Support;

namespace Deploy.Tests.Plugins.Socket;

/// <summary>
/// External plugins that fail: a socket nobody listens on, a plugin killed mid-call, one slower than the call's
/// deadline, malformed answers, a plugin refusing properties. Each is a clear error naming the socket, never a hang,
/// and the plugin's instances are left as they were.
/// </summary>
public sealed class ExternalPluginFailureTests : IDisposable
{
    private const string Group = """
        { "ID": "web", "Properties": { "Allocation": { "Size": 2 },
          "Instance": { "Plugin": "instance-python", "Properties": PROPS },
          "Flavor": { "Plugin": "flavor-vanilla", "Properties": { "Labels": { "tier": "web" } } } } }
        """;

    private readonly TempDir _dir = new();
    private readonly CliRunner _cli;

    public ExternalPluginFailureTests() =>
        _cli = new CliRunner(_dir.Path, new Dictionary<string, string> { ["INFRAKIT_PLUGINS_DIR"] = PluginsDir });

    private string PluginsDir => Path.Combine(_dir.Path, "plugins");

    private string Socket => Path.Combine(PluginsDir, "instance-python");

    private string Spec(string properties = """{ "Note": "v1" }""") => _dir.Write("web.json", Group.Replace("PROPS", properties));

    private bool GroupCommitted => File.Exists(Path.Combine(_dir.Path, ".deploy", "groups", "web.json"));

    [Fact]
    public async Task Watch_SocketWithNoListener_Exit1NamingSocketAndCallAtOnce()
    {
        using var dead = DeadSocket.Create(Socket);
        var clock = Stopwatch.StartNew();

        var watch = await _cli.RunAsync("group", "watch", Spec());

        clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(8));
        watch.ExitCode.ShouldBe(1, watch.ToString());
        watch.Stderr.ShouldContain($"error DEPLOY3003: plugin instance-python (socket {Socket}) could not be reached (connection refused: nothing listens on the socket), calling /Instance.Validate");
        watch.Stderr.ShouldContain("remove its socket file");
        watch.Stderr.ShouldNotContain("   at ");
        GroupCommitted.ShouldBeFalse();
    }

    [Fact]
    public async Task Watch_PluginKilledDuringProvision_Exit1NamingSocketNoHang()
    {
        await using var plugin = await InfraKitPythonPlugin.StartAsync(PluginsDir,
            knobs: new Dictionary<string, string> { ["PLUGIN_DELAY"] = "120", ["PLUGIN_DELAY_PATHS"] = "/Instance.Provision" });
        await using var watch = _cli.Start("group", "watch", Spec());
        await plugin.WaitForLogAsync("received /Instance.Provision", TimeSpan.FromSeconds(30));

        plugin.Kill();
        var clock = Stopwatch.StartNew();
        var exit = await watch.WaitForExitAsync(TimeSpan.FromSeconds(20));

        clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(15));
        exit.ShouldBe(1, watch.Output);
        watch.Output.ShouldContain($"plugin instance-python (socket {Socket})");
        watch.Output.ShouldContain("dropped the connection before answering");
        watch.Output.ShouldContain("calling /Instance.Provision");
        plugin.Instances().ShouldBeEmpty();
    }

    [Fact]
    public async Task Watch_PluginSlowerThanTheDeadline_Exit1WithinTheDeadlineNothingChanged()
    {
        await using var plugin = await InfraKitPythonPlugin.StartAsync(PluginsDir, knobs: new Dictionary<string, string> { ["PLUGIN_DELAY"] = "60" });
        var clock = Stopwatch.StartNew();

        var watch = await _cli.RunAsync("group", "watch", Spec());

        clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(20));
        watch.ExitCode.ShouldBe(1, watch.ToString());
        watch.Stderr.ShouldContain($"plugin instance-python (socket {Socket}) did not answer within 10s, calling /Instance.Validate");
        GroupCommitted.ShouldBeFalse();
        plugin.Instances().ShouldBeEmpty();
    }

    [Fact]
    public async Task Inspect_PluginAnswersMalformedJson_Exit1NamingSocketAndCall()
    {
        await using (var healthy = await InfraKitPythonPlugin.StartAsync(PluginsDir))
        {
            (await _cli.RunAsync("group", "watch", Spec())).ExitCode.ShouldBe(0);
        }

        await using var plugin = await InfraKitPythonPlugin.StartAsync(PluginsDir,
            knobs: new Dictionary<string, string> { ["PLUGIN_MALFORMED"] = "/Instance.DescribeInstances" });
        var before = plugin.Instances().Keys.Order().ToList();

        var inspect = await _cli.RunAsync("group", "inspect", "web");
        var destroy = await _cli.RunAsync("group", "destroy", "web");

        inspect.ExitCode.ShouldBe(1, inspect.ToString());
        inspect.Stderr.ShouldContain($"plugin instance-python (socket {Socket}) answered with malformed JSON");
        inspect.Stderr.ShouldContain("calling /Instance.DescribeInstances");
        destroy.ExitCode.ShouldBe(1, destroy.ToString());
        before.Count.ShouldBe(2);
        plugin.Instances().Keys.Order().ShouldBe(before);
        GroupCommitted.ShouldBeTrue();
    }

    [Fact]
    public async Task Watch_PluginRefusesProperties_Exit2AtThePropertiesPathQuotingThePlugin()
    {
        await using var plugin = await InfraKitPythonPlugin.StartAsync(PluginsDir, knobs: new Dictionary<string, string> { ["PLUGIN_REJECT_FIELD"] = "Forbidden" });
        var spec = Spec("""{ "Forbidden": true }""");

        var watch = await _cli.RunAsync("group", "watch", spec);

        watch.ExitCode.ShouldBe(2, watch.ToString());
        watch.Stderr.ShouldContain("error DEPLOY1007: $.Properties.Instance.Properties: plugin instance-python");
        watch.Stderr.ShouldContain("refused these properties: \"field 'Forbidden' is not allowed by this plugin\"");
        GroupCommitted.ShouldBeFalse();
        plugin.Instances().ShouldBeEmpty();
    }

    public void Dispose() => _dir.Dispose();
}
