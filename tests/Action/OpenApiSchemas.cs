using System.Text.Json;
using System.Text.RegularExpressions;

namespace Deploy.Tests.Action;

/// <summary>
/// Request-body checks against GitHub's dereferenced OpenAPI description: the operation is found by method and path
/// template, then the JSON body is checked for types, required properties, enums, lengths and unknown properties
/// (where the schema forbids them). System.Text.Json is enough for these keywords; no schema library is needed.
/// </summary>
public sealed class OpenApiSchemas
{
    private static readonly Lazy<OpenApiSchemas> Shared = new(() => new OpenApiSchemas(ActionTools.OpenApiDereferenced));
    private readonly JsonDocument _doc;
    private readonly List<(Regex Template, JsonElement Path)> _paths;

    private OpenApiSchemas(string file)
    {
        _doc = JsonDocument.Parse(File.ReadAllBytes(file));
        _paths = _doc.RootElement.GetProperty("paths").EnumerateObject()
            .Select(p => (new Regex("^" + Regex.Replace(Regex.Escape(p.Name), @"\\\{[^}]+}", "[^/]+") + "$"), p.Value)).ToList();
    }

    /// <summary>The description, loaded once per test run.</summary>
    public static OpenApiSchemas Instance => Shared.Value;

    /// <summary>Every violation of the request <paramref name="method"/> <paramref name="path"/> with <paramref name="body"/> (null: no body).</summary>
    public IReadOnlyList<string> Check(string method, string path, string? body)
    {
        // Literal segments win over parameters: /issues/comments/{id} before /issues/{number}/...
        var match = _paths.Where(p => p.Template.IsMatch(path)).OrderBy(p => p.Template.ToString().Count(c => c == '+')).Select(p => p.Path).ToList();
        if (match.Count == 0)
        {
            return [$"{method} {path}: no such path in GitHub's API"];
        }

        var operation = match.Select(p => p.TryGetProperty(method.ToLowerInvariant(), out var op) ? op : (JsonElement?)null).FirstOrDefault(o => o is not null);
        if (operation is null)
        {
            return [$"{method} {path}: GitHub's API has no {method} here"];
        }

        if (!operation.Value.TryGetProperty("requestBody", out var requestBody))
        {
            return string.IsNullOrEmpty(body) ? [] : [$"{method} {path}: sends a body the operation does not take"];
        }

        if (string.IsNullOrEmpty(body))
        {
            return requestBody.TryGetProperty("required", out var r) && r.GetBoolean() ? [$"{method} {path}: the body is required"] : [];
        }

        var schema = requestBody.GetProperty("content").GetProperty("application/json").GetProperty("schema");
        var errors = new List<string>();
        using var value = JsonDocument.Parse(body);
        Validate(schema, value.RootElement, "$", errors);
        return errors.Select(e => $"{method} {path}: {e}").ToList();
    }

    private static void Validate(JsonElement schema, JsonElement value, string at, List<string> errors)
    {
        foreach (var keyword in new[] { "oneOf", "anyOf" })
        {
            if (schema.TryGetProperty(keyword, out var options))
            {
                var fits = options.EnumerateArray().Count(o =>
                {
                    var inner = new List<string>();
                    Validate(o, value, at, inner);
                    return inner.Count == 0;
                });
                if (fits == 0)
                {
                    errors.Add($"{at}: matches none of the {keyword} schemas");
                }

                return;
            }
        }

        if (schema.TryGetProperty("allOf", out var all))
        {
            foreach (var part in all.EnumerateArray())
            {
                Validate(part, value, at, errors);
            }
        }

        if (schema.TryGetProperty("type", out var type) && !TypeFits(type, value, schema))
        {
            errors.Add($"{at}: {value.ValueKind} where the schema wants {type}");
            return;
        }

        if (schema.TryGetProperty("enum", out var allowed) && !allowed.EnumerateArray().Any(a => a.GetRawText() == value.GetRawText()))
        {
            errors.Add($"{at}: {value.GetRawText()} is not one of {allowed.GetRawText()}");
        }

        if (value.ValueKind == JsonValueKind.String && schema.TryGetProperty("maxLength", out var max) && value.GetString()!.Length > max.GetInt32())
        {
            errors.Add($"{at}: longer than {max.GetInt32()} characters");
        }

        if (value.ValueKind == JsonValueKind.Object)
        {
            var properties = schema.TryGetProperty("properties", out var p) ? p : default;
            if (schema.TryGetProperty("required", out var required))
            {
                foreach (var name in required.EnumerateArray().Select(r => r.GetString()!).Where(n => !value.TryGetProperty(n, out _)))
                {
                    errors.Add($"{at}: required property {name} is missing");
                }
            }

            foreach (var property in value.EnumerateObject())
            {
                if (properties.ValueKind == JsonValueKind.Object && properties.TryGetProperty(property.Name, out var sub))
                {
                    Validate(sub, property.Value, $"{at}.{property.Name}", errors);
                }
                else if (schema.TryGetProperty("additionalProperties", out var extra) && extra.ValueKind == JsonValueKind.False)
                {
                    errors.Add($"{at}: property {property.Name} is not allowed");
                }
            }
        }

        if (value.ValueKind == JsonValueKind.Array && schema.TryGetProperty("items", out var items))
        {
            var i = 0;
            foreach (var item in value.EnumerateArray())
            {
                Validate(items, item, $"{at}[{i++}]", errors);
            }
        }
    }

    private static bool TypeFits(JsonElement type, JsonElement value, JsonElement schema)
    {
        var nullable = schema.TryGetProperty("nullable", out var n) && n.GetBoolean();
        var types = type.ValueKind == JsonValueKind.Array ? type.EnumerateArray().Select(t => t.GetString()!).ToList() : [type.GetString()!];
        return types.Any(t => t switch
        {
            "object" => value.ValueKind == JsonValueKind.Object,
            "array" => value.ValueKind == JsonValueKind.Array,
            "string" => value.ValueKind == JsonValueKind.String,
            "boolean" => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
            "integer" => value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out _),
            "number" => value.ValueKind == JsonValueKind.Number,
            "null" => value.ValueKind == JsonValueKind.Null,
            _ => true,
        }) || (nullable && value.ValueKind == JsonValueKind.Null);
    }
}
