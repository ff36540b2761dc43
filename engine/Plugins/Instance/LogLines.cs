namespace Deploy.Engine.Plugins.Instance;

/// <summary>
/// The end of an instance's log as Deploy quotes it: .NET stack frames (<c>   at …</c>) left out, so an app that died of
/// an exception is quoted with the exception's message rather than the bottom of its trace. Shared by every plugin.
/// </summary>
public static class LogLines
{
    /// <summary>How many more raw lines to read than are quoted, so frames left out do not leave the quote short.</summary>
    public const int Slack = 200;

    /// <summary>The last <paramref name="lines"/> lines of <paramref name="text"/> that are not stack frames; null when none.</summary>
    public static string? Tail(string text, int lines)
    {
        var kept = text.TrimEnd().Split('\n').Select(l => l.TrimEnd('\r')).Where(l => !IsStackFrame(l)).ToList();
        return kept.Count == 0 || kept is [""] ? null : string.Join('\n', kept[^Math.Min(lines, kept.Count)..]);
    }

    private static bool IsStackFrame(string line)
    {
        var text = line.TrimStart();
        return (line.Length > text.Length && text.StartsWith("at ", StringComparison.Ordinal)) || text.StartsWith("--- End of ", StringComparison.Ordinal);
    }
}
