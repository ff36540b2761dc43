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

    /// <summary>Every finding, errors first.</summary>
    public IReadOnlyList<Diagnostic> Diagnostics { get; }

    /// <summary>The highest-priority exit code among the errors: 3 locked, 2 bad input, 1 failed.</summary>
    public int ExitCode =>
        Diagnostics.Where(d => d.Severity == Severity.Error).Select(d => d.Code.ExitCode)
            .OrderBy(c => c switch { 3 => 0, 2 => 1, _ => 2 }).FirstOrDefault(1);
}
