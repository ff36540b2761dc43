namespace Deploy.Engine.Plugins.Instance;

/// <summary>Orders instance IDs by their numeric suffix (<c>instance-9</c> before <c>instance-10</c>), then ordinally.</summary>
public sealed class InstanceIdComparer : IComparer<string>
{
    /// <summary>The shared comparer; it holds no state.</summary>
    public static readonly InstanceIdComparer Instance = new();

    public int Compare(string? x, string? y)
    {
        if (x is null || y is null)
        {
            return string.CompareOrdinal(x, y);
        }

        var (xp, xn) = Split(x);
        var (yp, yn) = Split(y);
        var byPrefix = string.CompareOrdinal(xp, yp);
        if (byPrefix != 0)
        {
            return byPrefix;
        }

        var xd = xn.TrimStart('0');
        var yd = yn.TrimStart('0');
        return xd.Length != yd.Length ? xd.Length.CompareTo(yd.Length) : string.CompareOrdinal(xd, yd) is var c && c != 0 ? c : string.CompareOrdinal(x, y);
    }

    private static (string Prefix, string Digits) Split(string id)
    {
        var i = id.Length;
        while (i > 0 && char.IsAsciiDigit(id[i - 1]))
        {
            i--;
        }

        return (id[..i], id[i..]);
    }
}
