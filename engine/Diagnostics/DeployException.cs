namespace Deploy.Engine.Diagnostics;

/// <summary>
/// The one exception the engine throws for expected failures: bad input, a held lock, a failed step.
/// Faces render <see cref="Diagnostics"/> and exit with <see cref="ExitCode"/>; never a stack trace.
/// </summary>
public sealed class DeployException : Exception
{
    public DeployException(IReadOnlyList<Diagnostic> diagnostics)
        : base(string.Join(Environment.NewLine, diagnostics))
    {
        Diagnostics = diagnostics;
    }

    public DeployException(ErrorCode code, string message, string? file = null)
        : this([new Diagnostic(code, message, File: file)])
    {
    }

    /// <summary>
    /// An unexpected failure (not the user's input, not a plugin's known error) as DEPLOY3001: one sentence saying what
    /// was being done; <paramref name="details"/> (already masked) is shown only with <c>--verbose</c>.
    /// </summary>
    public static DeployException Unexpected(string doing, string reason, string details) =>
        new([new Diagnostic(Errors.OperationFailed, $"{doing} failed unexpectedly: {reason}; what was live stays live, run the command again (add --verbose for details)")])
        {
            Details = details,
        };

    /// <summary>Diagnostic details of an unexpected failure (its stack), masked; shown only with <c>--verbose</c>.</summary>
    public string? Details { get; init; }

    /// <summary>Every finding, errors first.</summary>
    public IReadOnlyList<Diagnostic> Diagnostics { get; }

    /// <summary>The highest-priority exit code among the errors: 3 locked, 2 bad input, 1 failed.</summary>
    public int ExitCode =>
        Diagnostics.Where(d => d.Severity == Severity.Error).Select(d => d.Code.ExitCode)
            .OrderBy(c => c switch { 3 => 0, 2 => 1, _ => 2 }).FirstOrDefault(1);
}
