using System.Text.RegularExpressions;

namespace Deploy.Tests.Docs;

/// <summary>
/// A fenced shell block of a document. Runnable when its first line is <c># run from: FOLDER</c>; its
/// <c># → TEXT</c> lines are what the output must contain (<c>...</c> stands for any text on that line).
/// </summary>
public sealed partial record DocBlock(string Doc, int Line, string? RunFrom, string? NotRun, string Text, IReadOnlyList<string> Expected)
{
    /// <summary>The documents whose shell blocks are checked, relative to the repository root.</summary>
    public static IEnumerable<string> Documents(string root) =>
        new[] { "README.md" }
            .Concat(Directory.GetDirectories(Path.Combine(root, "examples")).Order(StringComparer.Ordinal)
                .Select(d => Path.Combine(d, "README.md")).Where(File.Exists).Select(f => Path.GetRelativePath(root, f)))
            .Concat(Directory.GetFiles(Path.Combine(root, "docs"), "*.md").Order(StringComparer.Ordinal).Select(f => Path.GetRelativePath(root, f)))
            .Select(p => p.Replace('\\', '/'));

    /// <summary>Every shell block (<c>sh</c>, <c>bash</c>, <c>shell</c>) of <paramref name="doc"/>, runnable or not.</summary>
    public static IReadOnlyList<DocBlock> Parse(string doc, string markdown)
    {
        var blocks = new List<DocBlock>();
        var lines = markdown.Replace("\r\n", "\n").Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var fence = Fence().Match(lines[i]);
            if (!fence.Success)
            {
                continue;
            }

            var start = i + 1;
            var end = start;
            while (end < lines.Length && !lines[end].TrimStart().StartsWith("```", StringComparison.Ordinal))
            {
                end++;
            }

            var body = lines[start..Math.Min(end, lines.Length)];
            i = end;
            if (fence.Groups[1].Value is not ("sh" or "bash" or "shell"))
            {
                continue;
            }

            var first = body.Length > 0 ? body[0].Trim() : "";
            var runFrom = RunFromLine().Match(first) is { Success: true } r ? r.Groups[1].Value.Trim() : null;
            var notRun = NotRunLine().Match(first) is { Success: true } n ? n.Groups[1].Value.Trim() : null;
            var expected = body.Select(l => Expect().Match(l)).Where(m => m.Success).Select(m => m.Groups[1].Value.TrimEnd()).ToList();
            blocks.Add(new DocBlock(doc, start, runFrom, notRun, string.Join('\n', body) + "\n", expected));
        }

        return blocks;
    }

    /// <summary>True when <paramref name="output"/> has <paramref name="expected"/> on one line (<c>...</c>: any text).</summary>
    public static bool Shows(string output, string expected)
    {
        var pattern = string.Join(".*", expected.Split("...").Select(Regex.Escape));
        return Regex.IsMatch(output, pattern, RegexOptions.Multiline);
    }

    [GeneratedRegex(@"^\s*```\s*([A-Za-z0-9_-]*)\s*$")]
    private static partial Regex Fence();

    [GeneratedRegex(@"^# run from: (.+)$")]
    private static partial Regex RunFromLine();

    [GeneratedRegex(@"^# not run: (.+)$")]
    private static partial Regex NotRunLine();

    [GeneratedRegex(@"^\s*# → (.+)$")]
    private static partial Regex Expect();
}
