using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Deploy.Engine.Hashing;

/// <summary>
/// Writes a JSON value exactly as Go's <c>json.MarshalIndent(v, "  ", "  ")</c> writes it after decoding it
/// into a generic <c>interface{}</c>: keys sorted, HTML characters escaped, numbers as float64.
/// This is the canonical text InfraKit hashes, so our config hashes match InfraKit's byte for byte.
/// </summary>
public static class GoJson
{
    /// <summary>The canonical text of <paramref name="value"/>.</summary>
    public static string MarshalIndent(JsonElement? value)
    {
        var sb = new StringBuilder();
        Write(sb, value, 0);
        return sb.ToString();
    }

    private static void Write(StringBuilder sb, JsonElement? maybe, int depth)
    {
        if (maybe is not { } value || value.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
        {
            sb.Append("null");
            return;
        }

        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                // Go decodes duplicate keys last-one-wins, then sorts the map's keys by their UTF-8 bytes.
                var props = new SortedDictionary<string, JsonElement>(Utf8Order.Instance);
                foreach (var p in value.EnumerateObject())
                {
                    props[p.Name] = p.Value;
                }

                if (props.Count == 0)
                {
                    sb.Append("{}");
                    return;
                }

                sb.Append('{');
                var first = true;
                foreach (var (name, child) in props)
                {
                    sb.Append(first ? "" : ",");
                    first = false;
                    NewLine(sb, depth + 1);
                    WriteString(sb, name);
                    sb.Append(": ");
                    Write(sb, child, depth + 1);
                }

                NewLine(sb, depth);
                sb.Append('}');
                return;
            case JsonValueKind.Array:
                if (value.GetArrayLength() == 0)
                {
                    sb.Append("[]");
                    return;
                }

                sb.Append('[');
                var i = 0;
                foreach (var item in value.EnumerateArray())
                {
                    sb.Append(i++ == 0 ? "" : ",");
                    NewLine(sb, depth + 1);
                    Write(sb, item, depth + 1);
                }

                NewLine(sb, depth);
                sb.Append(']');
                return;
            case JsonValueKind.String:
                WriteString(sb, value.GetString()!);
                return;
            case JsonValueKind.Number:
                // Validation refuses numbers a float64 cannot hold; the raw text only keeps this total.
                sb.Append(value.TryGetDouble(out var f) && double.IsFinite(f) ? FormatFloat(f) : value.GetRawText());
                return;
            case JsonValueKind.True:
                sb.Append("true");
                return;
            default:
                sb.Append("false");
                return;
        }
    }

    // Go's MarshalIndent: later lines start with the prefix ("  ") plus one indent ("  ") per level.
    private static void NewLine(StringBuilder sb, int depth) => sb.Append('\n').Append(' ', 2 + (2 * depth));

    // Go's encodeState.string: runes as UTF-8, HTML characters and U+2028/U+2029 escaped, invalid text as U+FFFD.
    private static void WriteString(StringBuilder sb, string s)
    {
        sb.Append('"');
        foreach (var rune in s.EnumerateRunes())
        {
            var c = rune.Value;
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '<' or '>' or '&' or 0x2028 or 0x2029:
                    sb.Append("\\u").Append(c.ToString("x4", CultureInfo.InvariantCulture));
                    break;
                default:
                    if (c < 0x20)
                    {
                        sb.Append("\\u00").Append(c.ToString("x2", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        sb.Append(rune.ToString());
                    }

                    break;
            }
        }

        sb.Append('"');
    }

    /// <summary>
    /// Go 1.7's float64 encoding, <c>strconv.AppendFloat(f, 'g', -1, 64)</c>: the shortest digits that round-trip,
    /// in %e form when the decimal exponent is below -4 or at least 6 (the precision Go uses for shortest 'g'),
    /// with an exponent of at least two digits (<c>1e+06</c>, <c>1e-05</c>); otherwise plain (<c>100000</c>, <c>0.0001</c>).
    /// </summary>
    internal static string FormatFloat(double f)
    {
        var negative = double.IsNegative(f);
        var (digits, dp) = ShortestDigits(Math.Abs(f));
        var sb = new StringBuilder();
        if (negative)
        {
            sb.Append('-');
        }

        var exp = dp - 1;
        if (digits.Length > 0 && (exp < -4 || exp >= 6))
        {
            sb.Append(digits[0]);
            if (digits.Length > 1)
            {
                sb.Append('.').Append(digits, 1, digits.Length - 1);
            }

            sb.Append('e').Append(exp < 0 ? '-' : '+');
            var e = Math.Abs(exp);
            sb.Append(e < 10 ? "0" : "").Append(e.ToString(CultureInfo.InvariantCulture));
            return sb.ToString();
        }

        // %f with max(nd - dp, 0) decimals, as Go's fmtF lays them out.
        if (dp > 0)
        {
            for (var i = 0; i < dp; i++)
            {
                sb.Append(i < digits.Length ? digits[i] : '0');
            }
        }
        else
        {
            sb.Append('0');
        }

        var decimals = Math.Max(digits.Length - dp, 0);
        if (decimals > 0)
        {
            sb.Append('.');
            for (var i = 1; i <= decimals; i++)
            {
                var j = dp + i - 1;
                sb.Append(j >= 0 && j < digits.Length ? digits[j] : '0');
            }
        }

        return sb.ToString();
    }

    // The shortest round-trip decimal digits of a finite non-negative value (no leading or trailing zeros) and the
    // position of the decimal point relative to them (Go's decimal.dp): value = 0.DIGITS * 10^dp. Zero has no digits.
    private static (string Digits, int Dp) ShortestDigits(double abs)
    {
        if (abs == 0)
        {
            return ("", 0);
        }

        var text = abs.ToString("R", CultureInfo.InvariantCulture);
        var exponent = 0;
        var ePos = text.IndexOfAny(['E', 'e']);
        if (ePos >= 0)
        {
            exponent = int.Parse(text[(ePos + 1)..], CultureInfo.InvariantCulture);
            text = text[..ePos];
        }

        var dot = text.IndexOf('.');
        var all = dot >= 0 ? text.Remove(dot, 1) : text;
        var dp = (dot >= 0 ? dot : text.Length) + exponent;
        var trimmedStart = all.TrimStart('0');
        dp -= all.Length - trimmedStart.Length;
        return (trimmedStart.TrimEnd('0'), dp);
    }

    /// <summary>Go's string order: byte-wise over UTF-8, which is code-point order (not UTF-16 code-unit order).</summary>
    internal sealed class Utf8Order : IComparer<string>
    {
        public static readonly Utf8Order Instance = new();

        public int Compare(string? x, string? y)
        {
            if (x is null || y is null)
            {
                return x is null ? (y is null ? 0 : -1) : 1;
            }

            return Encoding.UTF8.GetBytes(x).AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(y));
        }
    }
}
