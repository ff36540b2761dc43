using System.Text.Json;
using System.Text.RegularExpressions;
using Deploy.Engine.Diagnostics;
using Deploy.Engine.Json;
using Deploy.Engine.Spec;

namespace Deploy.Engine.Plugins.Instance.Docker;

// The list- and map-valued properties: Command, Env, Labels, Mounts.
public sealed partial record DockerProperties
{
    /// <summary>The placeholder replaced by the instance's host port in <see cref="Command"/>, <see cref="Env"/> and <see cref="Labels"/> values and the healthcheck's test.</summary>
    public const string PortPlaceholder = "{{port}}";

    /// <summary>The prefix of the labels Deploy sets itself; a user label may not start with it.</summary>
    public const string ReservedLabelPrefix = "deploy.";

    /// <summary>Replaces <see cref="PortPlaceholder"/> in <paramref name="text"/>.</summary>
    public static string WithPort(string text, int port) =>
        text.Replace(PortPlaceholder, port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);

    /// <summary>Reads a non-empty list of strings at <paramref name="at"/>, checking placeholders; null when absent or wrong.</summary>
    internal static List<string>? ReadArgv(JsonElement? value, string at, DiagnosticBag bag, string fix)
    {
        if (value is not { } v)
        {
            return null;
        }

        if (v.ValueKind != JsonValueKind.Array || v.GetArrayLength() == 0)
        {
            bag.Add(v.ValueKind == JsonValueKind.Array ? Errors.InvalidValue : Errors.WrongType, at,
                $"must be a non-empty list of strings (was {(v.ValueKind == JsonValueKind.Array ? "an empty list" : JsonReading.Describe(v))}); {fix}");
            return null;
        }

        var args = new List<string>();
        var i = 0;
        foreach (var item in v.EnumerateArray())
        {
            var itemPath = JsonPath.Index(at, i++);
            if (item.ValueKind != JsonValueKind.String)
            {
                bag.Add(Errors.WrongType, itemPath, $"must be a string (was {JsonReading.Describe(item)}); quote numbers, e.g. \"8080\"");
                continue;
            }

            args.Add(item.GetString()!);
            CheckPlaceholders(item.GetString(), itemPath, bag);
        }

        return args;
    }

    /// <summary>Reports every <c>{{name}}</c> other than <see cref="PortPlaceholder"/>: it would reach the container verbatim.</summary>
    internal static void CheckPlaceholders(string? text, string path, DiagnosticBag bag)
    {
        foreach (Match m in Placeholder().Matches(text ?? ""))
        {
            if (m.Value != PortPlaceholder)
            {
                bag.Add(Errors.UnknownPlaceholder, path, $"{m.Value} has no value; only {PortPlaceholder} is replaced");
            }
        }
    }

    internal static List<string>? ReadCommand(JsonElement p, string path, DiagnosticBag bag) =>
        ReadArgv(JsonReading.TryGet(p, "Command", out var v) ? v : null, JsonReading.ChildPath(p, path, "Command"), bag,
            "give the program and its arguments, e.g. [\"httpd\", \"-f\", \"-p\", \"{{port}}\"], or leave Command out to run the image's own");

    internal static Dictionary<string, string> ReadEnv(JsonElement p, string path, DiagnosticBag bag) =>
        ReadStringMap(p, path, "Env", bag, "e.g. {\"APP_VERSION\": \"1.2.0\", \"PORT\": \"{{port}}\"}", (name, value, at) =>
        {
            if (name.Length == 0 || name.Contains('=') || name.Contains('\0'))
            {
                bag.Add(Errors.InvalidValue, at, "is not a usable variable name; use letters, digits and _ without '='");
                return false;
            }

            CheckPlaceholders(value, at, bag);
            return true;
        });

    private static Dictionary<string, string> ReadLabels(JsonElement p, string path, DiagnosticBag bag) =>
        ReadStringMap(p, path, "Labels", bag, "e.g. {\"com.example.team\": \"shop\"}", (name, value, at) =>
        {
            if (name.StartsWith(ReservedLabelPrefix, StringComparison.OrdinalIgnoreCase))
            {
                bag.Add(Errors.Conflict, at, $"labels starting with \"{ReservedLabelPrefix}\" are set by Deploy (tags, endpoint); use another prefix, e.g. com.example.");
                return false;
            }

            if (name.Length == 0)
            {
                bag.Add(Errors.InvalidValue, at, "a label needs a name; e.g. com.example.team");
                return false;
            }

            CheckPlaceholders(value, at, bag);
            return true;
        });

    private static Dictionary<string, string> ReadStringMap(JsonElement p, string path, string field, DiagnosticBag bag, string example,
        Func<string, string, string, bool> accept)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        var at = JsonReading.ChildPath(p, path, field);
        if (!JsonReading.TryGet(p, field, out var v))
        {
            return map;
        }

        if (v.ValueKind != JsonValueKind.Object)
        {
            bag.Add(Errors.WrongType, at, $"must be an object of string values (was {JsonReading.Describe(v)}); {example}");
            return map;
        }

        foreach (var entry in v.EnumerateObject())
        {
            var entryPath = JsonPath.Child(at, entry.Name);
            if (entry.Value.ValueKind != JsonValueKind.String)
            {
                bag.Add(Errors.WrongType, entryPath, $"must be a string (was {JsonReading.Describe(entry.Value)}); quote it, e.g. \"{entry.Value.GetRawText().Trim('"')}\"");
            }
            else if (accept(entry.Name, entry.Value.GetString()!, entryPath))
            {
                map[entry.Name] = entry.Value.GetString()!;
            }
        }

        return map;
    }

    [GeneratedRegex(@"\{\{\s*[^{}]*\}\}")]
    private static partial Regex Placeholder();
}
