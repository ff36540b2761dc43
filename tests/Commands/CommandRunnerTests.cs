using Deploy.Engine.Commands;

namespace Deploy.Tests.Commands;

public sealed class CommandRunnerTests
{
    private readonly CommandRunner _runner = new();

    [Fact]
    public async Task RunAsync_CommandExitsNonZero_CapturesExitCodeAndBothStreams()
    {
        var result = await _runner.RunAsync(new CommandRequest(Argv: ["sh", "-c", "echo out; echo err >&2; exit 3"]), CancellationToken.None);

        result.Outcome.ShouldBe(CommandOutcome.Exited);
        result.ExitCode.ShouldBe(3);
        result.Succeeded.ShouldBeFalse();
        result.Stdout.ShouldBe("out\n");
        result.Stderr.ShouldBe("err\n");
    }

    [Fact]
    public async Task RunAsync_ArgumentsWithSpacesAndShellCharacters_ArePassedVerbatim()
    {
        var result = await _runner.RunAsync(new CommandRequest(Argv: ["printf", "%s|", "a b", "$HOME;rm -rf x", "'\""]), CancellationToken.None);

        result.Stdout.ShouldBe("a b|$HOME;rm -rf x|'\"|");
    }

    [Fact]
    public async Task RunAsync_EnvironmentAndWorkingDirectory_AreSeenByTheCommand()
    {
        var dir = Directory.CreateTempSubdirectory("deploy-cmd-").FullName;
        try
        {
            var request = new CommandRequest(
                Argv: ["sh", "-c", "echo \"$DEPLOY_COLOUR\"; pwd"],
                WorkingDirectory: dir,
                Environment: new Dictionary<string, string> { ["DEPLOY_COLOUR"] = "green" });

            var result = await _runner.RunAsync(request, CancellationToken.None);

            result.Stdout.ShouldBe($"green\n{dir}\n");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task RunAsync_MissingExecutable_ReturnsNotStartedNamingIt()
    {
        var request = new CommandRequest(Argv: ["deploy-no-such-program", "x"]);

        var result = await _runner.RunAsync(request, CancellationToken.None);

        result.Outcome.ShouldBe(CommandOutcome.NotStarted);
        result.Succeeded.ShouldBeFalse();
        result.Describe(request).ShouldContain("could not start `deploy-no-such-program x`");
    }

    [Fact]
    public async Task RunAsync_MissingWorkingDirectory_ReturnsNotStarted()
    {
        var result = await _runner.RunAsync(new CommandRequest(Argv: ["true"], WorkingDirectory: "/no/such/dir"), CancellationToken.None);

        result.Outcome.ShouldBe(CommandOutcome.NotStarted);
        result.Stderr.ShouldContain("/no/such/dir");
    }

    [Fact]
    public async Task RunAsync_Timeout_KillsTheWholeProcessTree()
    {
        var request = new CommandRequest(Argv: ["sh", "-c", "sleep 30 & echo $!; wait"], Timeout: TimeSpan.FromMilliseconds(500));

        var result = await _runner.RunAsync(request, CancellationToken.None);

        result.Outcome.ShouldBe(CommandOutcome.TimedOut);
        result.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(5));
        IsRunning(int.Parse(result.Stdout.Trim())).ShouldBeFalse();
    }

    [Fact]
    public async Task RunAsync_Cancelled_ThrowsAndKillsTheProcess()
    {
        var pidFile = Path.GetTempFileName();
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));

        await Should.ThrowAsync<OperationCanceledException>(
            () => _runner.RunAsync(new CommandRequest(Argv: ["sh", "-c", $"echo $$ > {pidFile}; exec sleep 30"]), cancel.Token));

        IsRunning(int.Parse(File.ReadAllText(pidFile).Trim())).ShouldBeFalse();
        File.Delete(pidFile);
    }

    [Fact]
    public async Task RunAsync_RelativeProgramPath_ResolvesAgainstTheWorkingDirectoryNotOurs()
    {
        var dir = Directory.CreateTempSubdirectory("deploy-runner-").FullName;
        try
        {
            var script = Path.Combine(dir, "bin", "check.sh");
            Directory.CreateDirectory(Path.GetDirectoryName(script)!);
            File.WriteAllText(script, "#!/bin/sh\necho ran in \"$PWD\"\n");
            File.SetUnixFileMode(script, File.GetUnixFileMode(script) | UnixFileMode.UserExecute);

            var result = await _runner.RunAsync(new CommandRequest(Argv: ["./bin/check.sh"], WorkingDirectory: dir), CancellationToken.None);

            result.Succeeded.ShouldBeTrue(result.Describe(new CommandRequest(["./bin/check.sh"])));
            result.Stdout.ShouldBe($"ran in {dir}\n");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task RunAsync_HugeOutput_KeepsOnlyTheEnd()
    {
        var result = await _runner.RunAsync(new CommandRequest(Argv: ["sh", "-c", "seq 1 100000; echo last"]), CancellationToken.None);

        result.Stdout.Length.ShouldBeLessThan(CommandRunner.OutputLimit + 100);
        result.Stdout.ShouldEndWith("100000\nlast\n");
        result.Stdout.ShouldStartWith("[…earlier output dropped…]");
    }

    // A killed child may linger as a zombie until its parent reaper runs; that counts as stopped.
    private static bool IsRunning(int pid)
    {
        for (var i = 0; i < 50; i++)
        {
            var stat = $"/proc/{pid}/stat";
            if (!File.Exists(stat) || File.ReadAllText(stat).Split(") ")[1].StartsWith('Z'))
            {
                return false;
            }

            Thread.Sleep(20);
        }

        return true;
    }
}
