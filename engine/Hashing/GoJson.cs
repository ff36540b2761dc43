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
                // Go decodes duplicate keys last-one-wins, then sorts the map's keys byte-wise.
                var props = new SortedDictionary<string, JsonElement>(StringComparer.Ordinal);
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
                sb.Append(FormatFloat(value.GetDouble()));
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

    private static void WriteString(StringBuilder sb, string s)
    {
        sb.Append('"');
        foreach (var c in s)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '<' or '>' or '&' or '\u2028' or '\u2029':
                    sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    break;
                default:
                    if (c < 0x20)
                    {
                        sb.Append("\\u00").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        sb.Append(c);
                    }

                    break;
            }
        }

        sb.Append('"');
    }

    /// <summary>Go's float64 encoding: shortest round-trip digits, plain notation unless |f| &lt; 1e-6 or ≥ 1e21.</summary>
    internal static string FormatFloat(double f)
    {
        if (f == 0)
        {
            return double.IsNegative(f) ? "-0" : "0";
        }

        // "R" gives the shortest round-trip digits; re-lay them out the way Go's strconv does.
        var shortest = f.ToString("R", CultureInfo.InvariantCulture);
        var negative = shortest.StartsWith('-');
        var body = negative ? shortest[1..] : shortest;
        var exponent = 0;
        var ePos = body.IndexOfAny(['E', 'e']);
        if (ePos >= 0)
        {
            exponent = int.Parse(body[(ePos + 1)..], CultureInfo.InvariantCulture);
            body = body[..ePos];
        }

        var dot = body.IndexOf('.');
        var digits = dot >= 0 ? body.Remove(dot, 1) : body;
        var pointPos = (dot >= 0 ? dot : body.Length) + exponent; // digits before the decimal point
        var lead = digits.Length - digits.TrimStart('0').Length;
        digits = digits.Trim('0') is { Length: > 0 } d ? d : "0";
        pointPos -= lead;

        var abs = Math.Abs(f);
        string text;
        if (abs < 1e-6 || abs >= 1e21)
        {
            var exp = pointPos - 1;
            var mantissa = digits.Length == 1 ? digits : $"{digits[0]}.{digits[1..]}";
            text = $"{mantissa}e{(exp < 0 ? "-" : "+")}{Math.Abs(exp):00}";
            // Go trims a two-digit negative exponent's leading zero: e-07 becomes e-7.
            if (exp < 0 && exp > -10)
            {
                text = $"{mantissa}e-{-exp}";
            }
        }
        else if (pointPos <= 0)
        {
            text = "0." + new string('0', -pointPos) + digits;
        }
        else if (pointPos >= digits.Length)
        {
            text = digits + new string('0', pointPos - digits.Length);
        }
        else
        {
            text = digits[..pointPos] + "." + digits[pointPos..];
        }

        return negative ? "-" + text : text;
    }
}
