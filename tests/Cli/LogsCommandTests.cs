using Deploy.Tests.Support;

namespace Deploy.Tests.Cli;

/// <summary><c>deploy logs</c> with real processes: each instance's log, one colour or both, with secrets masked.</summary>
public sealed class LogsCommandTests : IDisposable
{
    private const string Secret = "tok-7f3e-secret";
    private readonly TempDir _dir = new();
    private readonly CliRunner _cli;
    private readonly int _port = Fixtures.ProxyFixtures.FreePortRange(4);

    public LogsCommandTests() =>
        _cli = new CliRunner(_dir.Path, new Dictionary<string, string> { ["DEPLOY_VAR_token"] = Secret });

    // Each instance says which colour and port it serves, and prints the secret it was given (which Deploy must mask).
    private string Spec() => _dir.Write("app.json", $$$"""
        {
          "ID": "logsapp",
          "Vars": { "version": "1" },
          "Secrets": ["token"],
          "Colours": { "blue": {}, "green": {} },
          "Group": {
            "Allocation": { "Size": 2 },
            "Instance": {
              "Plugin": "instance-process",
              "Properties": {
                "Command": ["sh", "-c", "echo \"{{colour}} v{{var.version}} on $PORT token=$TOKEN\"; exec sleep 300"],
                "Env": { "TOKEN": "{{var.token}}" },
                "Ports": { "From": {{{_port}}}, "To": {{{_port + 3}}} }
              }
            },
            "Flavor": { "Plugin": "flavor-vanilla" }
          }
        }
        """);

    [Fact]
    public async Task Logs_AfterTwoDeploys_ShowsEachInstancesLogPerColourWithSecretsMasked()
    {
        var spec = Spec();
        (await _cli.RunAsync("apply", spec)).ExitCode.ShouldBe(0);
        (await _cli.RunAsync("apply", spec, "--var", "version=2")).ExitCode.ShouldBe(0);

        var all = await _cli.RunAsync("logs", "logsapp");
        var green = await _cli.RunAsync("logs", "logsapp", "--colour", "green", "--lines", "1");

        all.ExitCode.ShouldBe(0, all.ToString());
        all.Stdout.Split('\n').Count(l => l.StartsWith("== blue ")).ShouldBe(2);
        all.Stdout.Split('\n').Count(l => l.StartsWith("== green ")).ShouldBe(2);
        all.Stdout.ShouldContain("blue v1 on ");
        all.Stdout.ShouldContain("green v2 on ");
        all.Stdout.ShouldContain("token=***");
        all.Stdout.ShouldNotContain(Secret);
        green.Stdout.ShouldNotContain("== blue ");
        green.Stdout.Split('\n').Count(l => l.StartsWith("green v2 on ")).ShouldBe(2);

        await _cli.RunAsync("destroy", "logsapp", "--yes");
    }

    [Fact]
    public async Task Logs_UnknownColour_Exit2NamingTheColours()
    {
        var spec = Spec();

        var result = await _cli.RunAsync("logs", spec, "--colour", "purple");

        result.ExitCode.ShouldBe(2, result.ToString());
        result.Stderr.ShouldContain("logsapp has no colour \"purple\"; its colours are blue and green");
    }

    public void Dispose()
    {
        _cli.RunAsync("destroy", "logsapp", "--yes").GetAwaiter().GetResult();
        _dir.Dispose();
    }
}
