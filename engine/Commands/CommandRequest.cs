namespace Deploy.Engine.Commands;

/// <summary>
/// A command to run: an argv list (never a shell line), extra environment variables, a working directory and a timeout.
/// </summary>
/// <param name="Argv">The executable (a name looked up on PATH, or a path; a relative path resolves against
/// <paramref name="WorkingDirectory"/>) and its arguments; required, non-empty.</param>
/// <param name="WorkingDirectory">Where the command runs; default: the current directory.</param>
/// <param name="Environment">Variables added to (or replacing) the inherited environment; default: none.</param>
/// <param name="Timeout">After this the process tree is killed; default: <see cref="CommandRunner.DefaultTimeout"/>.</param>
public sealed record CommandRequest(
    IReadOnlyList<string> Argv,
    string? WorkingDirectory = null,
    IReadOnlyDictionary<string, string>? Environment = null,
    TimeSpan? Timeout = null)
{
    /// <summary>The argv as users would read it, arguments with spaces quoted; for messages only, never executed.</summary>
    public string Display => string.Join(' ', Argv.Select(a => a.Length == 0 || a.Any(char.IsWhiteSpace) ? $"\"{a}\"" : a));
}

/// <summary>How a command ended.</summary>
public enum CommandOutcome
{
    /// <summary>The process ran and exited; see <see cref="CommandResult.ExitCode"/>.</summary>
    Exited,
    /// <summary>The process ran past its timeout and its tree was killed.</summary>
    TimedOut,
    /// <summary>The process could not be started: missing executable, not executable, or no such working directory.</summary>
    NotStarted,
}

/// <summary>
/// The result of a command. Output is the last <see cref="CommandRunner.OutputLimit"/> characters of each stream.
/// </summary>
public sealed record CommandResult(
    CommandOutcome Outcome,
    int ExitCode,
    string Stdout,
    string Stderr,
    TimeSpan Elapsed)
{
    /// <summary>True when the process exited with code 0.</summary>
    public bool Succeeded => Outcome == CommandOutcome.Exited && ExitCode == 0;

    /// <summary>One sentence for error messages: what happened and the end of stderr (or stdout when stderr is empty).</summary>
    public string Describe(CommandRequest request)
    {
        var what = Outcome switch
        {
            CommandOutcome.NotStarted => $"could not start `{request.Display}`",
            CommandOutcome.TimedOut => $"`{request.Display}` did not finish within {Spec.Duration.Format(request.Timeout ?? CommandRunner.DefaultTimeout)} and was killed",
            _ => $"`{request.Display}` exited with code {ExitCode}",
        };
        var output = (Stderr.Trim().Length > 0 ? Stderr : Stdout).Trim();
        return output.Length == 0 ? what : $"{what}: {Tail(output, 2000)}";
    }

    private static string Tail(string text, int max) => text.Length <= max ? text : "…" + text[^max..];
}
