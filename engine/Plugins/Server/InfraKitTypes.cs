using System.Text.Json;
using Deploy.Engine.Diagnostics;
using Deploy.Engine.Json;
using Deploy.Engine.Plugins.Instance;
using Deploy.Engine.Spec;

namespace Deploy.Engine.Plugins.Server;

/// <summary>
/// InfraKit's JSON shapes (see docs: Spec, Description, AllocationMethod) read into Deploy's types and written back. Field
/// names match case-insensitively, as Go's decoder matches them; a value of the wrong type is a located diagnostic.
/// </summary>
internal static class InfraKitTypes
{
    /// <summary>The request body as a located JSON source, or null when the request has no body.</summary>
    public static JsonSource? Body(string method, byte[] body) =>
        body.All(b => b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n') ? null : JsonSource.Parse(method, body);

    /// <summary>The body, required to be present: methods that take an argument have nothing to work on without it.</summary>
    public static JsonSource RequiredBody(string method, byte[] body, string example) =>
        Body(method, body) ?? throw new DeployException([new Diagnostic(Errors.Missing, $"the request has no body; send {example}", File: method, Path: "$")]);

    /// <summary>An instance <c>Spec</c>: Properties, Tags, Init, LogicalID, Attachments (Deploy's plugins have none: refused).</summary>
    public static InstanceSpec ReadSpec(JsonElement? value, string path, DiagnosticBag bag)
    {
        if (!JsonReading.Object(value, path, bag, "send {\"Properties\": {...}, \"Tags\": {...}}"))
        {
            return new InstanceSpec(null, new Dictionary<string, string>());
        }

        var spec = value!.Value;
        JsonReading.KnownFields(spec, path, bag, "Properties", "Tags", "Init", "LogicalID", "Attachments");
        JsonElement? properties = JsonReading.TryGet(spec, "Properties", out var p) ? p.Clone() : null;
        var tags = ReadTags(JsonReading.TryGet(spec, "Tags", out var t) ? t : null, JsonReading.ChildPath(spec, path, "Tags"), bag);
        var init = JsonReading.String(spec, path, "Init", bag, required: false, fix: "send the init script as one string");
        var logicalId = JsonReading.String(spec, path, "LogicalID", bag, required: false, fix: "send the logical ID as a string or null");
        if (JsonReading.TryGet(spec, "Attachments", out var a) && !(a.ValueKind == JsonValueKind.Array && a.GetArrayLength() == 0))
        {
            bag.Add(Errors.InvalidValue, JsonReading.ChildPath(spec, path, "Attachments"),
                "Deploy's instance plugins have no attachments (volumes, networks); send null or [] and put them in the plugin's Properties");
        }

        return new InstanceSpec(properties, tags, string.IsNullOrEmpty(init) ? null : init, string.IsNullOrEmpty(logicalId) ? null : logicalId);
    }

    /// <summary>An instance <c>Description</c>: ID (required), LogicalID, Tags; Deploy's optional <c>Endpoint</c> is read back too.</summary>
    public static InstanceDescription ReadDescription(JsonElement? value, string path, DiagnosticBag bag)
    {
        if (!JsonReading.Object(value, path, bag, "send {\"ID\": \"...\", \"Tags\": {...}}"))
        {
            return new InstanceDescription("", null, new Dictionary<string, string>());
        }

        var d = value!.Value;
        JsonReading.KnownFields(d, path, bag, "ID", "LogicalID", "Tags", "Endpoint");
        var id = JsonReading.String(d, path, "ID", bag, required: true, fix: "send the instance's ID");
        var logicalId = JsonReading.String(d, path, "LogicalID", bag, required: false, fix: "send the logical ID as a string or null");
        var tags = ReadTags(JsonReading.TryGet(d, "Tags", out var t) ? t : null, JsonReading.ChildPath(d, path, "Tags"), bag);
        var endpointText = JsonReading.String(d, path, "Endpoint", bag, required: false, fix: "send host:port");
        var endpoint = Endpoint.TryParse(endpointText);
        if (endpointText is not null && endpoint is null)
        {
            bag.Add(Errors.InvalidValue, JsonReading.ChildPath(d, path, "Endpoint"), $"\"{endpointText}\" is not host:port; send e.g. 127.0.0.1:8080 or leave it out");
        }

        return new InstanceDescription(id ?? "", string.IsNullOrEmpty(logicalId) ? null : logicalId, tags, endpoint);
    }

    /// <summary>A tags map <c>{"k": "v"}</c>; null or absent is no tags.</summary>
    public static IReadOnlyDictionary<string, string> ReadTags(JsonElement? value, string path, DiagnosticBag bag)
    {
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        if (value is not { } v || v.ValueKind == JsonValueKind.Null)
        {
            return tags;
        }

        if (v.ValueKind != JsonValueKind.Object)
        {
            bag.Add(Errors.WrongType, path, $"must be an object of string values (was {JsonReading.Describe(v)}); e.g. {{\"deploy.group\": \"app-blue\"}}");
            return tags;
        }

        foreach (var tag in v.EnumerateObject())
        {
            if (tag.Value.ValueKind == JsonValueKind.String)
            {
                tags[tag.Name] = tag.Value.GetString()!;
            }
            else
            {
                bag.Add(Errors.WrongType, JsonPath.Child(path, tag.Name), $"must be a string (was {JsonReading.Describe(tag.Value)})");
            }
        }

        return tags;
    }

    /// <summary>An <c>AllocationMethod</c>: Size or LogicalIDs, as InfraKit accepts them (Deploy accepts Size 0).</summary>
    public static void CheckAllocation(JsonElement? value, string path, DiagnosticBag bag)
    {
        if (value is not { ValueKind: not JsonValueKind.Null } a)
        {
            return;
        }

        if (!JsonReading.Object(a, path, bag, "send {\"Size\": 2} or {\"LogicalIDs\": [\"a\", \"b\"]}"))
        {
            return;
        }

        JsonReading.KnownFields(a, path, bag, "Size", "LogicalIDs");
        JsonReading.Int(a, path, "Size", bag, min: 0, max: Allocation.MaxSize);
        if (JsonReading.TryGet(a, "LogicalIDs", out var ids) && (ids.ValueKind != JsonValueKind.Array || ids.EnumerateArray().Any(i => i.ValueKind != JsonValueKind.String)))
        {
            bag.Add(Errors.WrongType, JsonReading.ChildPath(a, path, "LogicalIDs"), "must be a list of strings, e.g. [\"a\", \"b\"]");
        }
    }

    /// <summary>The <c>Spec</c> shape of <paramref name="spec"/>: Properties, Tags, Init, LogicalID, Attachments.</summary>
    public static Dictionary<string, object?> Write(InstanceSpec spec) => new()
    {
        ["Properties"] = spec.Properties,
        ["Tags"] = spec.Tags,
        ["Init"] = spec.Init ?? "",
        ["LogicalID"] = spec.LogicalId,
        ["Attachments"] = null,
    };

    /// <summary>
    /// The <c>Description</c> shape of <paramref name="d"/>: ID, LogicalID, Tags, and Deploy's documented extension
    /// <c>"Endpoint": "host:port"</c> only when the instance has one (InfraKit's decoder ignores the unknown field).
    /// </summary>
    public static Dictionary<string, object?> Write(InstanceDescription d)
    {
        var shape = new Dictionary<string, object?> { ["ID"] = d.Id, ["LogicalID"] = d.LogicalId, ["Tags"] = d.Tags };
        if (d.Endpoint is { } endpoint)
        {
            shape["Endpoint"] = endpoint.Authority;
        }

        return shape;
    }

    /// <summary>Throws the located diagnostics of <paramref name="bag"/> when it holds errors.</summary>
    public static void ThrowIfErrors(JsonSource source, DiagnosticBag bag)
    {
        if (bag.HasErrors)
        {
            throw new DeployException(source.Locate(bag.Items));
        }
    }
}
