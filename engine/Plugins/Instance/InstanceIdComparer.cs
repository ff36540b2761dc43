namespace Deploy.Engine.Plugins.Instance;

/// <summary>Orders instance IDs by their numeric suffix (<c>instance-9</c> before <c>instance-10</c>), then ordinally.</summary>
public sealed class InstanceIdComparer : IComparer<string>
{
    /// <summary>The shared comparer; it holds no state.</summary>
    public static readonly InstanceIdComparer Instance = new();

    // Span-based and allocation-free: sorting 10,000 IDs happens on every observation of a large group.
    public int Compare(string? x, string? y)
    {
        if (x is null || y is null)
        {
            return string.CompareOrdinal(x, y);
        }

        var xs = DigitsStart(x);
        var ys = DigitsStart(y);
        var byPrefix = x.AsSpan(0, xs).SequenceCompareTo(y.AsSpan(0, ys));
        if (byPrefix != 0)
        {
            return byPrefix;
        }

        var xd = x.AsSpan(xs).TrimStart('0');
        var yd = y.AsSpan(ys).TrimStart('0');
        if (xd.Length != yd.Length)
        {
            return xd.Length.CompareTo(yd.Length);
        }

        var byNumber = xd.SequenceCompareTo(yd);
        return byNumber != 0 ? byNumber : string.CompareOrdinal(x, y);
    }

    private static int DigitsStart(string id)
    {
        var i = id.Length;
        while (i > 0 && char.IsAsciiDigit(id[i - 1]))
        {
            i--;
        }

        return i;
    }
}
