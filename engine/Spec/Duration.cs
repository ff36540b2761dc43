using System.Globalization;
using System.Text.RegularExpressions;

namespace Deploy.Engine.Spec;

/// <summary>Durations as users write them: <c>500ms</c>, <c>2s</c>, <c>5m</c>, <c>1h</c>, or combined as <c>1m30s</c>.</summary>
public static partial class Duration
{
    /// <summary>Parses <paramref name="text"/>; false when it is not a duration.</summary>
    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var matches = Part().Matches(text.Trim());
        if (matches.Count == 0 || string.Concat(matches.Select(m => m.Value)) != text.Trim())
        {
            return false;
        }

        foreach (Match m in matches)
        {
            var n = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
            value += m.Groups[2].Value switch
            {
                "ms" => TimeSpan.FromMilliseconds(n),
                "s" => TimeSpan.FromSeconds(n),
                "m" => TimeSpan.FromMinutes(n),
                _ => TimeSpan.FromHours(n),
            };
        }

        return true;
    }

    /// <summary>The short form of <paramref name="value"/>, as accepted by <see cref="TryParse"/>.</summary>
    public static string Format(TimeSpan value) =>
        value.TotalMilliseconds < 1000 ? $"{value.TotalMilliseconds:0}ms"
        : value.TotalSeconds < 60 ? $"{value.TotalSeconds:0.#}s".Replace(',', '.')
        : value.TotalMinutes < 60 ? $"{value.TotalMinutes:0.#}m".Replace(',', '.')
        : $"{value.TotalHours:0.#}h".Replace(',', '.');

    [GeneratedRegex(@"(\d+(?:\.\d+)?)(ms|s|m|h)")]
    private static partial Regex Part();
}
