namespace Deploy.Action.Runner;

/// <summary>
/// The runner's workflow commands on stdout (<c>::group::</c>, <c>::error file=…::</c>, <c>::add-mask::</c>), escaped
/// the way the runner unescapes them: data escapes %, CR and LF; property values also escape : and ,.
/// </summary>
internal sealed class WorkflowCommands(TextWriter output)
{
    /// <summary>Where plain lines go too, so they interleave with the commands in order.</summary>
    public TextWriter Output => output;

    /// <summary>Tells the runner to replace <paramref name="secret"/> with *** in the log; each line separately when multi-line.</summary>
    public void AddMask(string secret)
    {
        foreach (var part in secret.Split('\n').Select(p => p.TrimEnd('\r')).Prepend(secret).Distinct())
        {
            if (part.Length > 0)
            {
                Write("add-mask", null, part);
            }
        }
    }

    /// <summary>Starts a collapsible group; the next <see cref="EndGroup"/> closes it.</summary>
    public void Group(string title) => Write("group", null, title);

    /// <summary>Closes the open group.</summary>
    public void EndGroup() => Write("endgroup", null, "");

    /// <summary>An error annotation, attached to a file position when one is known.</summary>
    public void Error(string message, string? file = null, int? line = null, int? col = null, string? title = null) =>
        Write("error", Location(file, line, col, title), message);

    /// <summary>A warning annotation.</summary>
    public void Warning(string message, string? file = null, int? line = null, int? col = null, string? title = null) =>
        Write("warning", Location(file, line, col, title), message);

    /// <summary>A plain log line.</summary>
    public void Line(string text) => output.WriteLine(text);

    /// <summary>Escapes a command's message the way the runner reads it back.</summary>
    public static string EscapeData(string value) =>
        value.Replace("%", "%25").Replace("\r", "%0D").Replace("\n", "%0A");

    /// <summary>Escapes a property value (file, title): data escaping plus : and ,.</summary>
    public static string EscapeProperty(string value) =>
        EscapeData(value).Replace(":", "%3A").Replace(",", "%2C");

    private static IReadOnlyList<(string Key, string Value)> Location(string? file, int? line, int? col, string? title)
    {
        var props = new List<(string, string)>();
        if (title is not null)
        {
            props.Add(("title", title));
        }

        if (file is not null)
        {
            props.Add(("file", file));
            if (line is not null)
            {
                props.Add(("line", line.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)));
                if (col is not null)
                {
                    props.Add(("col", col.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)));
                }
            }
        }

        return props;
    }

    private void Write(string command, IReadOnlyList<(string Key, string Value)>? props, string message)
    {
        var p = props is { Count: > 0 } ? " " + string.Join(",", props.Select(kv => $"{kv.Key}={EscapeProperty(kv.Value)}")) : "";
        output.WriteLine($"::{command}{p}::{EscapeData(message)}");
        output.Flush();
    }
}
