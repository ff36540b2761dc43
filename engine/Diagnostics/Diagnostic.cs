namespace Deploy.Engine.Diagnostics;

/// <summary>Whether a diagnostic stops the command (error) or is only reported (warning).</summary>
public enum Severity
{
    /// <summary>The command cannot go on.</summary>
    Error,
    /// <summary>Reported; the command goes on.</summary>
    Warning,
}

/// <summary>
/// One finding about the user's input or the operation, rendered in the canonical
/// MSBuild/editor form: <c>file(line,col): error DEPLOY1002: $.path: message</c>.
/// </summary>
public sealed record Diagnostic(
    ErrorCode Code,
    string Message,
    string? File = null,
    string? Path = null,
    int? Line = null,
    int? Column = null)
{
    /// <summary>Error or warning, from the catalogue entry.</summary>
    public Severity Severity => Code.Severity;

    /// <summary>The canonical one-line form every face prints.</summary>
    public override string ToString()
    {
        var origin = File is null ? "deploy" : Line is null ? File : $"{File}({Line},{Column ?? 1})";
        var kind = Severity == Severity.Error ? "error" : "warning";
        var where = Path is null ? "" : Path + ": ";
        return $"{origin}: {kind} {Code.Id}: {where}{Message}";
    }
}
