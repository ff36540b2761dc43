using System.Text;
using System.Text.Json.Nodes;

namespace Deploy.Tests.Support;

/// <summary>
/// Seeded damage to a JSON spec, the way people and tools break files: keys deleted or misspelt, values of the wrong
/// type, numbers at the edge of float64, lone surrogates, invalid UTF-8, duplicate keys, deep nesting, truncation.
/// </summary>
public sealed class SpecMutator(int seed)
{
    private static readonly string[] RawValues =
    [
        "1e400", "-1e400", "1e-400", "-0", "0", "-1", "4294967296", "100001", "1.5", "123456789012345678901234567890",
        "null", "true", "false", "[]", "{}", "\"\"", "\"\\ud800\"", "\"a\\udc00b\"", "\"\\ud83d\\ude00\"", "\"{{var.nope}}\"",
        "\"{{port}}\"", "\"{{colour}}\"", "\"5x\"", "\"-1s\"", "\"/x\"", "\"instance-nope\"", "[1, \"a\", null]", "{\"Size\": 1}",
        "{\"Plugin\": \"flavor-vanilla\"}", "\"a b\"", "\"deploy.app\"",
    ];

    private static readonly byte[][] BadBytes = [[0xFF], [0xC3], [0xED, 0xA0, 0x80], [0xF0, 0x9F], [0x80], [0x00]];

    private readonly Random _random = new(seed);

    /// <summary>One to three mutations of <paramref name="json"/>, with a description of what was done.</summary>
    public (byte[] Bytes, string What) Mutate(string json)
    {
        var root = JsonNode.Parse(json)!;
        var what = new List<string>();
        var raws = new List<string>();
        var count = _random.Next(1, 4);
        for (var i = 0; i < count; i++)
        {
            what.Add(MutateTree(root, raws));
        }

        var text = root.ToJsonString();
        for (var i = 0; i < raws.Count; i++)
        {
            text = text.Replace($"\"@@RAW{i}@@\"", raws[i], StringComparison.Ordinal);
        }

        var bytes = Encoding.UTF8.GetBytes(text);
        if (_random.Next(4) == 0)
        {
            (bytes, var textual) = MutateBytes(bytes);
            what.Add(textual);
        }

        return (bytes, string.Join("; ", what));
    }

    private string MutateTree(JsonNode root, List<string> raws)
    {
        var slots = Slots(root).ToList();
        if (slots.Count == 0)
        {
            return "nothing to mutate";
        }

        var (parent, key, index) = slots[_random.Next(slots.Count)];
        string Raw(string raw)
        {
            raws.Add(raw);
            return $"@@RAW{raws.Count - 1}@@";
        }

        switch (_random.Next(7))
        {
            case 0 when parent is JsonObject o:
                o.Remove(key!);
                return $"deleted {key}";
            case 1 when parent is JsonObject o:
                var value = o[key!];
                o.Remove(key!);
                var renamed = Typo(key!);
                o[renamed] = value;
                return $"renamed {key} to {renamed}";
            case 2 when parent is JsonObject o:
                var dup = RawValues[_random.Next(RawValues.Length)];
                o[key!] = Raw($"{o[key!]?.ToJsonString() ?? "null"}, \"{key}\": {dup}");
                return $"duplicated {key} with {dup}";
            case 3:
                var deep = _random.Next(30, 200);
                Set(parent, key, index, Raw(new string('[', deep) + new string(']', deep)));
                return $"nested {deep} deep";
            case 4 when parent is JsonObject o:
                var extra = Typo(key!) + _random.Next(3);
                o[extra] = Raw(RawValues[_random.Next(RawValues.Length)]);
                return $"added {extra}";
            default:
                var raw = RawValues[_random.Next(RawValues.Length)];
                Set(parent, key, index, Raw(raw));
                return $"set {key ?? index.ToString()} to {raw}";
        }
    }

    private (byte[], string) MutateBytes(byte[] bytes)
    {
        var at = _random.Next(bytes.Length + 1);
        switch (_random.Next(3))
        {
            case 0:
                return (bytes[..at], $"truncated at {at}");
            case 1:
                var bad = BadBytes[_random.Next(BadBytes.Length)];
                // Inside a string when possible: right after an opening quote.
                var quote = Array.IndexOf(bytes, (byte)'"', at);
                var pos = quote < 0 ? at : quote + 1;
                return ([.. bytes[..pos], .. bad, .. bytes[pos..]], $"inserted bytes {Convert.ToHexString(bad)} at {pos}");
            default:
                var flipped = (byte[])bytes.Clone();
                if (flipped.Length > 0)
                {
                    flipped[Math.Min(at, flipped.Length - 1)] ^= (byte)(1 << _random.Next(8));
                }

                return (flipped, $"flipped a bit at {at}");
        }
    }

    private string Typo(string key)
    {
        if (key.Length < 2)
        {
            return key + "x";
        }

        var i = _random.Next(key.Length - 1);
        return _random.Next(4) switch
        {
            0 => key.Remove(i, 1),
            1 => key[..i] + key[i + 1] + key[i] + key[(i + 2)..],
            2 => key.ToLowerInvariant(),
            _ => key.Insert(i, "e"),
        };
    }

    private static void Set(JsonNode? parent, string? key, int index, JsonNode value)
    {
        if (parent is JsonObject o)
        {
            o[key!] = value;
        }
        else if (parent is JsonArray a)
        {
            a[index] = value;
        }
    }

    private static IEnumerable<(JsonNode? Parent, string? Key, int Index)> Slots(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (k, v) in o.ToList())
                {
                    yield return (o, k, -1);
                    foreach (var s in Slots(v))
                    {
                        yield return s;
                    }
                }

                break;
            case JsonArray a:
                for (var i = 0; i < a.Count; i++)
                {
                    yield return (a, null, i);
                    foreach (var s in Slots(a[i]))
                    {
                        yield return s;
                    }
                }

                break;
        }
    }
}
