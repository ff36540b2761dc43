using System.Text.Json;
using System.Text.RegularExpressions;
using Deploy.Engine.Diagnostics;
using Deploy.Engine.Spec;

namespace Deploy.Engine.Plugins.Instance.Process;

/// <summary>The <c>instance-process</c> plugin's <c>Properties</c>, read and checked in one pass.</summary>
public sealed partial record ProcessProperties
{
    /// <summary>The placeholder replaced by the chosen port in <see cref="Command"/>, <see cref="Env"/> values and <see cref="WorkingDirectory"/>.</summary>
    public const string PortPlaceholder = "{{port}}";

    /// <summary>Required. The program and its arguments (argv); never run through a shell.</summary>
    public required IReadOnlyList<string> Command { get; init; }

    /// <summary>Optional, default none. Variables added to the CLI's own environment.</summary>
    public IReadOnlyDictionary<string, string> Env { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// Optional, default the spec's folder. Where the process starts; relative to the spec's folder. Also the
    /// instance's <c>ASPNETCORE_CONTENTROOT</c> when set (else the folder of the .dll or program run).
    /// </summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>Required. The lowest port an instance may listen on (1024..65535).</summary>
    public required int PortFrom { get; init; }

    /// <summary>Required. The highest port an instance may listen on (1024..65535, at least <see cref="PortFrom"/>).</summary>
    public required int PortTo { get; init; }

    /// <summary>Optional, default 10s. How long a stopped process may take to exit after SIGTERM before SIGKILL.</summary>
    public TimeSpan StopTimeout { get; init; } = TimeSpan.FromSeconds(10);

    // Set by the plugin itself; a user value would be silently replaced, so it is refused instead.
    private static readonly string[] ReservedEnv = ["PORT", "DEPLOY_INSTANCE_ID"];

    private const string Example = "e.g. {\"Command\": [\"dotnet\", \"app.dll\"], \"Ports\": {\"From\": 8100, \"To\": 8199}}";

    /// <summary>Reads <paramref name="properties"/>; every problem goes to <paramref name="bag"/> with its path, and null is returned when any was found.</summary>
    public static ProcessProperties? Read(JsonElement? properties, string path, DiagnosticBag bag)
    {
        if (!JsonReading.Object(properties, path, bag, Example))
        {
            return null;
        }

        var p = properties!.Value;
        var before = bag.Items.Count;
        JsonReading.KnownFields(p, path, bag, "Command", "Env", "WorkingDirectory", "Ports", "StopTimeout");
        var command = ReadCommand(p, path, bag);
        var env = ReadEnv(p, path, bag);
        var workingDirectory = JsonReading.String(p, path, "WorkingDirectory", bag, required: false, "give a folder path");
        CheckPlaceholders(workingDirectory, JsonReading.ChildPath(p, path, "WorkingDirectory"), bag);
        var (from, to) = ReadPorts(p, path, bag);
        var stopTimeout = JsonReading.Duration(p, path, "StopTimeout", bag) ?? TimeSpan.FromSeconds(10);

        if (bag.Items.Skip(before).Any(d => d.Severity == Severity.Error))
        {
            return null;
        }

        return new ProcessProperties
        {
            Command = command!,
            Env = env,
            WorkingDirectory = workingDirectory,
            PortFrom = from!.Value,
            PortTo = to!.Value,
            StopTimeout = stopTimeout,
        };
    }

    /// <summary>Replaces <see cref="PortPlaceholder"/> in <paramref name="text"/>.</summary>
    public static string WithPort(string text, int port) =>
        text.Replace(PortPlaceholder, port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);

    private static List<string>? ReadCommand(JsonElement p, string path, DiagnosticBag bag)
    {
        var at = JsonReading.ChildPath(p, path, "Command");
        const string fix = "give the program and its arguments, e.g. [\"dotnet\", \"app.dll\", \"--urls\", \"http://127.0.0.1:{{port}}\"]";
        if (!JsonReading.TryGet(p, "Command", out var v))
        {
            bag.Add(Errors.Missing, at, $"is required; {fix}");
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
            var itemPath = Json.JsonPath.Index(at, i);
            if (item.ValueKind != JsonValueKind.String)
            {
                bag.Add(Errors.WrongType, itemPath, $"must be a string (was {JsonReading.Describe(item)}); quote numbers, e.g. \"8080\"");
            }
            else if (i == 0 && string.IsNullOrWhiteSpace(item.GetString()))
            {
                bag.Add(Errors.InvalidValue, itemPath, "must name the program to run; give a name on PATH or a path");
            }
            else
            {
                args.Add(item.GetString()!);
                CheckPlaceholders(item.GetString(), itemPath, bag);
            }

            i++;
        }

        return args;
    }

    private static Dictionary<string, string> ReadEnv(JsonElement p, string path, DiagnosticBag bag)
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        var at = JsonReading.ChildPath(p, path, "Env");
        if (!JsonReading.TryGet(p, "Env", out var v))
        {
            return env;
        }

        if (v.ValueKind != JsonValueKind.Object)
        {
            bag.Add(Errors.WrongType, at, $"must be an object of string values (was {JsonReading.Describe(v)}); e.g. {{\"APP_VERSION\": \"1.2.0\"}}");
            return env;
        }

        foreach (var variable in v.EnumerateObject())
        {
            var varPath = Json.JsonPath.Child(at, variable.Name);
            if (variable.Name.Length == 0 || variable.Name.Contains('=') || variable.Name.Contains('\0'))
            {
                bag.Add(Errors.InvalidValue, varPath, "is not a usable variable name; use letters, digits and _ without '='");
            }
            else if (ReservedEnv.Contains(variable.Name, StringComparer.Ordinal))
            {
                bag.Add(Errors.Conflict, varPath, $"is set by the plugin for each instance; remove it and read {variable.Name} in the app");
            }
            else if (variable.Value.ValueKind != JsonValueKind.String)
            {
                bag.Add(Errors.WrongType, varPath, $"must be a string (was {JsonReading.Describe(variable.Value)}); quote it, e.g. \"{variable.Value.GetRawText().Trim('"')}\"");
            }
            else
            {
                env[variable.Name] = variable.Value.GetString()!;
                CheckPlaceholders(variable.Value.GetString(), varPath, bag);
            }
        }

        return env;
    }

    private static (int? From, int? To) ReadPorts(JsonElement p, string path, DiagnosticBag bag)
    {
        var at = JsonReading.ChildPath(p, path, "Ports");
        JsonReading.TryGet(p, "Ports", out var v);
        if (!JsonReading.Object(v.ValueKind == JsonValueKind.Undefined ? null : v, at, bag, "give the range instances may listen on, e.g. {\"From\": 8100, \"To\": 8199}"))
        {
            return (null, null);
        }

        JsonReading.KnownFields(v, at, bag, "From", "To");
        var from = ReadPort(v, at, "From", bag);
        var to = ReadPort(v, at, "To", bag);
        if (from > to)
        {
            bag.Add(Errors.Conflict, at, $"From ({from}) must not be greater than To ({to}); swap them");
            return (null, null);
        }

        return (from, to);
    }

    private static int? ReadPort(JsonElement ports, string path, string name, DiagnosticBag bag)
    {
        if (!JsonReading.TryGet(ports, name, out _))
        {
            bag.Add(Errors.Missing, JsonReading.ChildPath(ports, path, name), "is required; give a port between 1024 and 65535");
            return null;
        }

        var port = JsonReading.Int(ports, path, name, bag, min: 1024);
        if (port > 65535)
        {
            bag.Add(Errors.OutOfRange, JsonReading.ChildPath(ports, path, name), $"must be at most 65535 (was {port})");
            return null;
        }

        return port;
    }

    // Only {{port}} has a value; any other {{name}} would reach the process verbatim, which is never what was meant.
    private static void CheckPlaceholders(string? text, string path, DiagnosticBag bag)
    {
        if (text is null)
        {
            return;
        }

        foreach (Match m in Placeholder().Matches(text))
        {
            if (m.Value != PortPlaceholder)
            {
                bag.Add(Errors.UnknownPlaceholder, path, $"{m.Value} has no value; only {PortPlaceholder} is replaced");
            }
        }
    }

    [GeneratedRegex(@"\{\{\s*[^{}]*\}\}")]
    private static partial Regex Placeholder();
}
