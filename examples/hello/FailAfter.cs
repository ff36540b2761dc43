using System.Globalization;
using System.Text.RegularExpressions;

namespace Hello;

/// <summary>Reads <c>APP_FAIL_AFTER</c>-style durations: <c>500ms</c>, <c>2s</c>, <c>5m</c>, <c>1h</c> (or combined, <c>1m30s</c>).</summary>
public static partial class FailAfter
{
    /// <summary>The duration in <paramref name="text"/>; null when empty; false when it is not a duration.</summary>
    public static bool TryParse(string? text, out TimeSpan? value)
    {
        value = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return true;
        }

        var matches = Part().Matches(text.Trim());
        if (matches.Count == 0 || string.Concat(matches.Select(m => m.Value)) != text.Trim())
        {
            return false;
        }

        var total = TimeSpan.Zero;
        foreach (Match m in matches)
        {
            var n = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
            total += m.Groups[2].Value switch
            {
                "ms" => TimeSpan.FromMilliseconds(n),
                "s" => TimeSpan.FromSeconds(n),
                "m" => TimeSpan.FromMinutes(n),
                _ => TimeSpan.FromHours(n),
            };
        }

        value = total;
        return true;
    }

    [GeneratedRegex(@"(\d+(?:\.\d+)?)(ms|s|m|h)")]
    private static partial Regex Part();
}
