namespace Deploy.Engine.Diagnostics;

/// <summary>One entry of the error catalogue: a stable id, a title and the exit code it maps to.</summary>
public sealed record ErrorCode(string Id, string Title, int ExitCode, Severity Severity = Severity.Error);
