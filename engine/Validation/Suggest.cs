namespace Deploy.Engine.Validation;

/// <summary>Finds the known name a user most likely meant, for "did you mean" hints on unknown names.</summary>
public static class Suggest
{
    /// <summary>
    /// The name in <paramref name="known"/> closest to <paramref name="name"/>: an exact case-insensitive match first,
    /// else the one within 2 edits (insert, delete, replace, swap of neighbours; case ignored), the fewest edits winning
    /// and the earlier name on a tie. Null when none is close enough to be a typo.
    /// </summary>
    public static string? Closest(string name, IEnumerable<string> known)
    {
        var list = known.ToList();
        var same = list.FirstOrDefault(k => string.Equals(k, name, StringComparison.OrdinalIgnoreCase));
        if (same is not null)
        {
            return same;
        }

        // Short names are all within 2 edits of each other; demand that most of the name survives.
        var limit = Math.Min(2, Math.Max(1, name.Length / 3));
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var k in list)
        {
            var d = Distance(name.ToLowerInvariant(), k.ToLowerInvariant());
            if (d <= limit && d < bestDistance)
            {
                best = k;
                bestDistance = d;
            }
        }

        return best;
    }

    /// <summary>
    /// The sentence for an unknown <paramref name="kind"/> (<c>field</c>, <c>var</c>): the closest known name when one is
    /// close, and every known name.
    /// </summary>
    public static string Unknown(string kind, string name, IReadOnlyCollection<string> known)
    {
        var list = known.Count == 0 ? "none" : string.Join(", ", known);
        return Closest(name, known) is { } c
            ? $"unknown {kind} \"{name}\": did you mean \"{c}\"? (known: {list})"
            : $"unknown {kind} \"{name}\"; remove it or use one of the known: {list}";
    }

    // Optimal string alignment distance (Damerau-Levenshtein without repeated edits of one substring).
    private static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }
}
