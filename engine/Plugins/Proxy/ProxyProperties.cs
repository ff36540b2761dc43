using System.Text.Json;
using System.Text.RegularExpressions;
using Deploy.Engine.Diagnostics;
using Deploy.Engine.Spec;

namespace Deploy.Engine.Plugins.Proxy;

/// <summary>Typed reads of proxy plugin properties that record every problem with its JSON path and a fix.</summary>
public static partial class ProxyProperties
{
    /// <summary>Records an error for each property not in <paramref name="known"/>: a typo would otherwise be silently ignored.</summary>
    public static void RejectUnknown(JsonElement obj, string path, DiagnosticBag bag, params string[] known)
    {
        foreach (var p in obj.EnumerateObject())
        {
            if (!known.Contains(p.Name, StringComparer.OrdinalIgnoreCase))
            {
                bag.Add(Errors.InvalidValue, Json.JsonPath.Child(path, p.Name),
                    $"is not a property of this plugin; use one of {string.Join(", ", known)}");
            }
        }
    }

    /// <summary>Reads an argv array: a non-empty array of non-empty strings, run without a shell.</summary>
    public static IReadOnlyList<string>? Argv(JsonElement obj, string path, string name, DiagnosticBag bag, bool required, string fix)
    {
        var at = JsonReading.ChildPath(obj, path, name);
        if (!JsonReading.TryGet(obj, name, out var v))
        {
            if (required)
            {
                bag.Add(Errors.Missing, at, $"is required; {fix}");
            }

            return null;
        }

        if (v.ValueKind != JsonValueKind.Array || v.GetArrayLength() == 0)
        {
            bag.Add(Errors.WrongType, at, $"must be a non-empty array of strings, the program then its arguments, run without a shell (was {JsonReading.Describe(v)}); {fix}");
            return null;
        }

        var argv = new List<string>();
        var i = 0;
        foreach (var item in v.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String || (i == 0 && string.IsNullOrWhiteSpace(item.GetString())))
            {
                bag.Add(Errors.WrongType, Json.JsonPath.Index(at, i), $"must be a string{(i == 0 ? ", the program to run" : "")} (was {JsonReading.Describe(item)})");
            }
            else
            {
                argv.Add(item.GetString()!);
            }

            i++;
        }

        return argv.Count == i ? argv : null;
    }

    /// <summary>Reads an absolute http(s) URL.</summary>
    public static Uri? Url(JsonElement obj, string path, string name, DiagnosticBag bag, string fix, bool required = false)
    {
        var text = JsonReading.String(obj, path, name, bag, required, fix);
        if (text is null)
        {
            return null;
        }

        if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && uri.Host.Length > 0)
        {
            return uri;
        }

        bag.Add(Errors.InvalidValue, JsonReading.ChildPath(obj, path, name), $"must be an absolute http:// or https:// URL (was \"{text}\"); {fix}");
        return null;
    }

    /// <summary>Reads a required name made of letters, digits, <c>_</c> and <c>-</c> (an nginx upstream, an HAProxy backend).</summary>
    public static string? Name(JsonElement obj, string path, string name, DiagnosticBag bag, string fix)
    {
        var text = JsonReading.String(obj, path, name, bag, required: true, fix);
        if (text is not null && !SafeName().IsMatch(text))
        {
            bag.Add(Errors.InvalidValue, JsonReading.ChildPath(obj, path, name),
                $"must use only letters, digits, _ and - (was \"{text}\"); {fix}");
            return null;
        }

        return text;
    }

    /// <summary>Reads a file path; relative paths are kept as written and resolved later by <see cref="Resolve"/>.</summary>
    public static string? FilePath(JsonElement obj, string path, string name, DiagnosticBag bag, bool required, string fix)
    {
        var text = JsonReading.String(obj, path, name, bag, required, fix);
        if (text is not null && (text.Trim().Length == 0 || text.IndexOfAny(['\0', '\n', '\r']) >= 0))
        {
            bag.Add(Errors.InvalidValue, JsonReading.ChildPath(obj, path, name), $"must be a file path (was \"{text}\"); {fix}");
            return null;
        }

        return text;
    }

    /// <summary><paramref name="file"/> made absolute against <paramref name="baseDirectory"/> (the spec's folder).</summary>
    public static string Resolve(string file, string baseDirectory) => Path.GetFullPath(file, Path.GetFullPath(baseDirectory));

    [GeneratedRegex("^[A-Za-z0-9_-]+$")]
    private static partial Regex SafeName();
}
