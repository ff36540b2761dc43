namespace Deploy.Engine.Plugins.Instance;

/// <summary>Tag matching shared by instance plugins: an instance matches when it carries every filter tag (AND).</summary>
public static class TagFilter
{
    /// <summary>True when <paramref name="tags"/> holds every key of <paramref name="filter"/> with the same value.</summary>
    public static bool Matches(IReadOnlyDictionary<string, string> tags, IReadOnlyDictionary<string, string> filter)
    {
        foreach (var (key, value) in filter)
        {
            if (!tags.TryGetValue(key, out var actual) || actual != value)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Tags as <c>k=v</c> pairs sorted by key and comma-joined, as <c>inspect</c> prints them.</summary>
    public static string Format(IReadOnlyDictionary<string, string> tags) =>
        string.Join(",", tags.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => $"{t.Key}={t.Value}"));
}
