using System.Text.Json;
using Deploy.Engine.Diagnostics;
using Deploy.Engine.Json;
using Deploy.Engine.Validation;

namespace Deploy.Engine.Spec;

/// <summary>Typed reads of JSON values that record a diagnostic with its path instead of throwing.</summary>
public static class JsonReading
{
    /// <summary>The property named <paramref name="name"/>, matched case-insensitively as Go's decoder does.</summary>
    public static bool TryGet(JsonElement obj, string name, out JsonElement value)
    {
        value = default;
        if (obj.ValueKind != JsonValueKind.Object)
        {
            return false;
        }

        var found = false;
        foreach (var p in obj.EnumerateObject())
        {
            if (string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                value = p.Value;
                found = true; // the last duplicate wins, as in Go
            }
        }

        return found && value.ValueKind != JsonValueKind.Null;
    }

    /// <summary>The exact-cased path segment used in the file, so positions resolve.</summary>
    public static string ChildPath(JsonElement obj, string path, string name)
    {
        if (obj.ValueKind == JsonValueKind.Object)
        {
            foreach (var p in obj.EnumerateObject())
            {
                if (string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase))
                {
                    return JsonPath.Child(path, p.Name);
                }
            }
        }

        return JsonPath.Child(path, name);
    }

    /// <summary>
    /// Records an error for each property of <paramref name="obj"/> not in <paramref name="known"/> (matched
    /// case-insensitively, as Go's decoder matches them): a typo would otherwise silently drop a setting.
    /// </summary>
    public static void KnownFields(JsonElement obj, string path, DiagnosticBag bag, params string[] known)
    {
        if (obj.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        foreach (var p in obj.EnumerateObject())
        {
            if (!known.Contains(p.Name, StringComparer.OrdinalIgnoreCase))
            {
                bag.Add(Errors.UnknownField, JsonPath.Child(path, p.Name), Suggest.Unknown("field", p.Name, known));
            }
        }
    }

    /// <summary>Reads a required or optional string.</summary>
    public static string? String(JsonElement obj, string path, string name, DiagnosticBag bag, bool required, string fix)
    {
        var at = ChildPath(obj, path, name);
        if (!TryGet(obj, name, out var v))
        {
            if (required)
            {
                bag.Add(Errors.Missing, at, $"is required; {fix}");
            }

            return null;
        }

        if (v.ValueKind != JsonValueKind.String)
        {
            bag.Add(Errors.WrongType, at, $"must be a string (was {Describe(v)}); {fix}");
            return null;
        }

        return v.GetString();
    }

    /// <summary>Reads an optional whole number between <paramref name="min"/> and <paramref name="max"/>.</summary>
    public static int? Int(JsonElement obj, string path, string name, DiagnosticBag bag, int min, int max = int.MaxValue)
    {
        var at = ChildPath(obj, path, name);
        if (!TryGet(obj, name, out var v))
        {
            return null;
        }

        if (v.ValueKind == JsonValueKind.Number && (!v.TryGetDouble(out var n) || !double.IsFinite(n)))
        {
            return null; // reported once for the whole document by FiniteNumbers
        }

        if (v.ValueKind != JsonValueKind.Number || !v.TryGetDouble(out var d) || d != Math.Floor(d))
        {
            bag.Add(Errors.WrongType, at, $"must be a whole number (was {Describe(v)})");
            return null;
        }

        if (d < min)
        {
            bag.Add(Errors.OutOfRange, at, $"must be at least {min} (was {v.GetRawText()})");
            return null;
        }

        if (d > max)
        {
            bag.Add(Errors.OutOfRange, at, $"must be at most {max} (was {v.GetRawText()})");
            return null;
        }

        return (int)d;
    }

    /// <summary>
    /// Records every number under <paramref name="value"/> that a 64-bit float cannot hold (<c>1e400</c>): Go's decoder
    /// refuses them, and the config hash could not be computed as InfraKit does.
    /// </summary>
    public static void FiniteNumbers(JsonElement value, string path, DiagnosticBag bag)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var p in value.EnumerateObject())
                {
                    FiniteNumbers(p.Value, JsonPath.Child(path, p.Name), bag);
                }

                break;
            case JsonValueKind.Array:
                var i = 0;
                foreach (var item in value.EnumerateArray())
                {
                    FiniteNumbers(item, JsonPath.Index(path, i++), bag);
                }

                break;
            case JsonValueKind.Number when !value.TryGetDouble(out var d) || !double.IsFinite(d):
                bag.Add(Errors.OutOfRange, path,
                    $"the number {value.GetRawText()} is beyond what a 64-bit float holds (about 1.8e308); use a smaller number or a string");
                break;
        }
    }

    /// <summary>Reads an optional boolean.</summary>
    public static bool? Bool(JsonElement obj, string path, string name, DiagnosticBag bag)
    {
        if (!TryGet(obj, name, out var v))
        {
            return null;
        }

        if (v.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            return v.GetBoolean();
        }

        bag.Add(Errors.WrongType, ChildPath(obj, path, name), $"must be true or false (was {Describe(v)})");
        return null;
    }

    /// <summary>Reads an optional duration such as <c>30s</c>.</summary>
    public static TimeSpan? Duration(JsonElement obj, string path, string name, DiagnosticBag bag)
    {
        if (!TryGet(obj, name, out var v))
        {
            return null;
        }

        if (v.ValueKind == JsonValueKind.String && Spec.Duration.TryParse(v.GetString(), out var d))
        {
            return d;
        }

        bag.Add(Errors.InvalidDuration, ChildPath(obj, path, name),
            $"must be a duration such as \"500ms\", \"2s\" or \"5m\" (was {v.GetRawText()})");
        return null;
    }

    /// <summary>Requires an object; records a diagnostic otherwise.</summary>
    public static bool Object(JsonElement? value, string path, DiagnosticBag bag, string fix)
    {
        if (value is { ValueKind: JsonValueKind.Object })
        {
            return true;
        }

        bag.Add(value is null ? Errors.Missing : Errors.WrongType, path,
            value is null ? $"is required; {fix}" : $"must be an object (was {Describe(value.Value)}); {fix}");
        return false;
    }

    /// <summary>A short description of a JSON value's kind for messages.</summary>
    public static string Describe(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => $"the string {v.GetRawText()}",
        JsonValueKind.Number => $"the number {v.GetRawText()}",
        JsonValueKind.True or JsonValueKind.False => v.GetRawText(),
        _ => "null",
    };
}
