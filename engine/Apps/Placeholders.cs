using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Deploy.Engine.Diagnostics;
using Deploy.Engine.Json;

namespace Deploy.Engine.Apps;

/// <summary>
/// Replaces <c>{{colour}}</c>, <c>{{app}}</c> and <c>{{var.NAME}}</c> in every string of a JSON tree. <c>{{port}}</c>
/// is left for the instance plugin where <paramref name="allowPortUnder"/> says it may appear; any other
/// placeholder is an error at its path.
/// </summary>
public sealed partial class Placeholders(IReadOnlyDictionary<string, string> values)
{
    /// <summary>Resolves every string under <paramref name="node"/> (found at <paramref name="path"/>) in place.</summary>
    public void Resolve(JsonNode? node, string path, DiagnosticBag bag, IReadOnlyList<string>? allowPortUnder = null)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, child) in obj.ToList())
                {
                    var childPath = JsonPath.Child(path, key);
                    if (child is JsonValue v && v.TryGetValue<string>(out var s))
                    {
                        obj[key] = Substitute(s, childPath, bag, allowPortUnder);
                    }
                    else
                    {
                        Resolve(child, childPath, bag, allowPortUnder);
                    }
                }

                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    var childPath = JsonPath.Index(path, i);
                    if (array[i] is JsonValue v && v.TryGetValue<string>(out var s))
                    {
                        array[i] = Substitute(s, childPath, bag, allowPortUnder);
                    }
                    else
                    {
                        Resolve(array[i], childPath, bag, allowPortUnder);
                    }
                }

                break;
        }
    }

    /// <summary>One string with its placeholders replaced; unknown ones are reported at <paramref name="path"/>.</summary>
    public string Substitute(string text, string path, DiagnosticBag bag, IReadOnlyList<string>? allowPortUnder = null) =>
        Pattern().Replace(text, m =>
        {
            var name = m.Groups[1].Value.Trim();
            if (values.TryGetValue(name, out var value))
            {
                return value;
            }

            if (name == "port" && allowPortUnder is not null && allowPortUnder.Any(scope => path.StartsWith(scope, StringComparison.Ordinal)))
            {
                return m.Value;
            }

            bag.Add(Errors.UnknownPlaceholder, path, name == "port"
                ? "{{port}} is only available inside Group.Instance.Properties (or Group.Orchestrator.Properties)"
                : name.StartsWith("var.", StringComparison.Ordinal)
                    ? $"{{{{{name}}}}} has no value; add \"{name[4..]}\" to Vars or pass --var {name[4..]}=VALUE"
                    : $"unknown placeholder {{{{{name}}}}}; known: {{{{colour}}}}, {{{{app}}}}, {{{{var.NAME}}}}, {{{{port}}}}");
            return m.Value;
        });

    /// <summary>Every NAME used as <c>{{var.NAME}}</c> in a string anywhere under <paramref name="value"/>.</summary>
    public static IEnumerable<string> VarNames(System.Text.Json.JsonElement value) => value.ValueKind switch
    {
        System.Text.Json.JsonValueKind.Object => value.EnumerateObject().SelectMany(p => VarNames(p.Value)),
        System.Text.Json.JsonValueKind.Array => value.EnumerateArray().SelectMany(VarNames),
        System.Text.Json.JsonValueKind.String => Pattern().Matches(value.GetString()!).Select(m => m.Groups[1].Value.Trim())
            .Where(n => n.StartsWith("var.", StringComparison.Ordinal)).Select(n => n[4..]),
        _ => [],
    };

    [GeneratedRegex(@"\{\{\s*([A-Za-z0-9_.\-]+)\s*\}\}")]
    private static partial Regex Pattern();
}
