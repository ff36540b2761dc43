using Deploy.Cli;

namespace Deploy.Tests.Cli;

/// <summary>Command lines the parser rejects: canonical DEPLOY1012 lines, exit 2, the verb's own usage, nothing run.</summary>
public sealed class ArgumentErrorTests
{
    [Fact]
    public async Task Run_MisspelledVerb_SuggestsTheVerbAndListsEveryCommand()
    {
        var (exit, stdout, stderr) = await Run("aply");

        exit.ShouldBe(2);
        stdout.ShouldBeEmpty();
        var lines = stderr.Split('\n');
        lines[0].ShouldStartWith("deploy: error DEPLOY1012: unknown command \"aply\" (did you mean \"apply\"?); known commands: plan, apply, status,");
        lines[1].ShouldBe("usage: deploy COMMAND [options]");
        stderr.ShouldContain("  rollback ");
        stderr.ShouldNotContain("ERROR(S)");
    }

    [Fact]
    public async Task Run_PlanWithoutSpec_SaysWhatIsMissingAndShowsPlansUsage()
    {
        var (exit, _, stderr) = await Run("plan");

        exit.ShouldBe(2);
        var lines = stderr.Split('\n');
        lines[0].ShouldBe("deploy: error DEPLOY1012: deploy plan needs APP|SPEC");
        lines[1].ShouldBe("usage: deploy plan APP|SPEC [options]");
        stderr.ShouldContain("--var ");
        stderr.ShouldContain("--state ");
        stderr.ShouldNotContain("--no-flip"); // apply's option, not plan's
    }

    [Fact]
    public async Task Run_OptionWithOneDash_NamesTheArgumentAndTheTwoDashForm()
    {
        using var dir = new Support.TempDir();
        var spec = dir.Write("app.json", File.ReadAllText(Path.Combine(Support.Repo.Root, "examples", "quickstart", "app.json")));

        var (exit, _, stderr) = await Run("apply", spec, "-var", "version=2", "--state", Path.Combine(dir.Path, "state"));

        exit.ShouldBe(2);
        stderr.Split('\n')[0].ShouldBe("deploy: error DEPLOY1012: unknown option \"-var\" of deploy apply; long options take two dashes: --var");
        stderr.ShouldContain("usage: deploy apply APP|SPEC [options]");
        Directory.Exists(Path.Combine(dir.Path, "state")).ShouldBeFalse();
    }

    [Fact]
    public async Task Run_MisspelledGroupVerb_ShowsTheGroupVerbs()
    {
        var (exit, _, stderr) = await Run("group", "wach");

        exit.ShouldBe(2);
        stderr.ShouldStartWith("deploy: error DEPLOY1012: unknown command \"group wach\" (did you mean \"watch\"?); known commands: watch, describe,");
        stderr.Split('\n')[1].ShouldBe("usage: deploy group COMMAND [options]");
    }

    [Fact]
    public async Task Run_HelpOfAVerb_PrintsToStdoutAndSucceeds()
    {
        var (exit, stdout, stderr) = await Run("apply", "--help");

        exit.ShouldBe(0);
        stdout.ShouldContain("--no-flip");
        stderr.ShouldBeEmpty();
    }

    private static async Task<(int Exit, string Stdout, string Stderr)> Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exit = await new CliApp(stdout, stderr, _ => null, CancellationToken.None).RunAsync(args);
        return (exit, stdout.ToString().Replace("\r", ""), stderr.ToString().Replace("\r", ""));
    }
}
