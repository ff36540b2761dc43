using System.Text.Json;
using System.Text.RegularExpressions;
using Deploy.Engine.Diagnostics;
using Deploy.Engine.Json;
using static Deploy.Engine.Spec.JsonReading;

namespace Deploy.Engine.Spec;

/// <summary>
/// Reads InfraKit group specs verbatim into <see cref="GroupSpec"/>, collecting every structural error with its path.
/// Plugin names and plugin properties are checked afterwards by <see cref="Validation.GroupValidator"/>.
/// </summary>
public static partial class GroupSpecParser
{
    /// <summary>
    /// Reads a whole group file: <c>{"ID": ..., "Properties": {...}}</c>. When <paramref name="strict"/>, a field the
    /// format does not have is an error; committed specs are read with it off, as a release that wrote them accepted them.
    /// </summary>
    public static GroupSpec? Parse(JsonElement root, DiagnosticBag bag, bool strict = true)
    {
        if (!Object(root, "$", bag, "a group spec is {\"ID\": ..., \"Properties\": {...}}"))
        {
            return null;
        }

        FiniteNumbers(root, "$", bag);
        if (strict)
        {
            KnownFields(root, "$", bag, "ID", "Properties", "$schema");
        }

        var id = String(root, "$", "ID", bag, required: true, "name the group, e.g. \"ID\": \"app-blue\"");
        if (id is not null)
        {
            CheckId(id, ChildPath(root, "$", "ID"), bag);
        }

        var propsPath = ChildPath(root, "$", "Properties");
        JsonElement? props = TryGet(root, "Properties", out var p) ? p : null;
        var properties = ParseProperties(props, propsPath, bag, strict);
        // A spec with errors is still returned when its plugin sections were read, so plugin validation can add its findings.
        // A committed colour of an app records its spec's folder, so a later replacement resolves paths as apply did.
        var baseDirectory = !strict && TryGet(root, "BaseDirectory", out var b) && b.ValueKind == JsonValueKind.String ? b.GetString() : null;
        return properties is null ? null : new GroupSpec(id ?? "", properties) { BaseDirectory = baseDirectory };
    }

    /// <summary>Reads a group's <c>Properties</c> object found at <paramref name="path"/>; see <see cref="Parse"/> for <paramref name="strict"/>.</summary>
    public static GroupProperties? ParseProperties(JsonElement? props, string path, DiagnosticBag bag, bool strict = true)
    {
        if (!Object(props, path, bag, "give Allocation, Instance and Flavor (or Orchestrator)"))
        {
            return null;
        }

        var obj = props!.Value;
        var known = strict ? bag : new DiagnosticBag(); // unknown fields go nowhere when not strict
        KnownFields(obj, path, known, "Allocation", "Instance", "Flavor", "Updating", "Orchestrator");
        var allocation = ParseAllocation(obj, path, bag, known);
        if (TryGet(obj, "Orchestrator", out _))
        {
            return ParseOrchestrated(obj, path, allocation, bag, known);
        }

        var instance = ParsePlugin(obj, path, "Instance", bag, known, "e.g. {\"Plugin\": \"instance-file\", \"Properties\": {}}");
        var flavor = ParsePlugin(obj, path, "Flavor", bag, known, "e.g. {\"Plugin\": \"flavor-vanilla\", \"Properties\": {}}");
        var updating = ParseUpdating(obj, path, bag, known);
        return instance is null || flavor is null
            ? null
            : new GroupProperties(allocation ?? new Allocation(0, null), instance, flavor, updating);
    }

    // An orchestrator owns the group's replicas: no instance or flavor plugin provisions them, and it counts replicas, not logical IDs.
    private static GroupProperties? ParseOrchestrated(JsonElement obj, string path, Allocation? allocation, DiagnosticBag bag, DiagnosticBag known)
    {
        var orchestrator = ParsePlugin(obj, path, "Orchestrator", bag, known, "e.g. {\"Plugin\": \"group-swarm\", \"Properties\": {...}}");
        foreach (var section in new[] { "Instance", "Flavor" }.Where(s => TryGet(obj, s, out _)))
        {
            bag.Add(Errors.Conflict, ChildPath(obj, path, section),
                $"the Orchestrator owns this group's instances, so it has no {section} plugin: remove {section} (what it said goes in Orchestrator.Properties)");
        }

        if (allocation is { IsQuorum: true })
        {
            bag.Add(Errors.Conflict, ChildPath(obj, path, "Allocation"), "an orchestrated group has replicas, not logical IDs: set \"Size\" instead of \"LogicalIDs\"");
        }

        var updating = ParseUpdating(obj, path, bag, known);
        return orchestrator is null ? null : new GroupProperties(allocation ?? new Allocation(0, null), null, null, updating, orchestrator);
    }

    /// <summary>Checks that an ID can name files, locks and tags.</summary>
    public static void CheckId(string id, string path, DiagnosticBag bag)
    {
        if (!IdPattern().IsMatch(id))
        {
            bag.Add(Errors.InvalidId, path,
                $"\"{id}\" must be 1-100 letters, digits, '.', '_' or '-', starting with a letter or digit");
        }
    }

    private static Allocation? ParseAllocation(JsonElement props, string parent, DiagnosticBag bag, DiagnosticBag known)
    {
        var path = ChildPath(props, parent, "Allocation");
        JsonElement? value = TryGet(props, "Allocation", out var v) ? v : null;
        if (!Object(value, path, bag, "set {\"Size\": N} or {\"LogicalIDs\": [...]}"))
        {
            return null;
        }

        var alloc = value!.Value;
        KnownFields(alloc, path, known, "Size", "LogicalIDs");
        var hasSize = TryGet(alloc, "Size", out _);
        var hasIds = TryGet(alloc, "LogicalIDs", out var ids);
        if (hasSize && hasIds)
        {
            bag.Add(Errors.Conflict, path, "set Size or LogicalIDs, not both");
            return null;
        }

        if (!hasSize && !hasIds)
        {
            bag.Add(Errors.Missing, path, "set Size (a scaler group) or LogicalIDs (a quorum group)");
            return null;
        }

        if (hasSize)
        {
            var size = Int(alloc, path, "Size", bag, min: 0, max: Allocation.MaxSize);
            return size is null ? null : new Allocation(size, null);
        }

        var idsPath = ChildPath(alloc, path, "LogicalIDs");
        if (ids.ValueKind != JsonValueKind.Array)
        {
            bag.Add(Errors.WrongType, idsPath, $"must be an array of strings (was {Describe(ids)})");
            return null;
        }

        var list = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var i = 0;
        foreach (var item in ids.EnumerateArray())
        {
            var at = JsonPath.Index(idsPath, i++);
            if (item.ValueKind != JsonValueKind.String || string.IsNullOrEmpty(item.GetString()))
            {
                bag.Add(Errors.WrongType, at, $"must be a non-empty string (was {Describe(item)})");
                continue;
            }

            var s = item.GetString()!;
            if (!seen.Add(s))
            {
                bag.Add(Errors.Duplicate, at, $"\"{s}\" is listed twice; each logical ID names one instance");
                continue;
            }

            list.Add(s);
        }

        if (list.Count > Allocation.MaxSize)
        {
            bag.Add(Errors.OutOfRange, idsPath, $"must list at most {Allocation.MaxSize} logical IDs (found {list.Count})");
        }

        return new Allocation(null, list);
    }

    private static PluginSpec? ParsePlugin(JsonElement props, string parent, string name, DiagnosticBag bag, DiagnosticBag known, string example)
    {
        var path = ChildPath(props, parent, name);
        JsonElement? value = TryGet(props, name, out var v) ? v : null;
        if (!Object(value, path, bag, example))
        {
            return null;
        }

        KnownFields(value!.Value, path, known, "Plugin", "Properties");
        var plugin = String(value.Value, path, "Plugin", bag, required: true, $"name the {name.ToLowerInvariant()} plugin, {example}");
        JsonElement? properties = TryGet(value.Value, "Properties", out var pp) ? pp.Clone() : null;
        return plugin is null ? null : new PluginSpec(plugin, properties);
    }

    private static UpdatingSpec ParseUpdating(JsonElement props, string parent, DiagnosticBag bag, DiagnosticBag known)
    {
        var path = ChildPath(props, parent, "Updating");
        if (!TryGet(props, "Updating", out var u))
        {
            return new UpdatingSpec();
        }

        if (!Object(u, path, bag, "e.g. {\"Count\": 1, \"Surge\": false, \"Deadline\": \"10m\"}"))
        {
            return new UpdatingSpec();
        }

        KnownFields(u, path, known, "Count", "Surge", "Deadline");
        return new UpdatingSpec(
            Count: Int(u, path, "Count", bag, min: 1, max: Allocation.MaxSize) ?? 1,
            Surge: Bool(u, path, "Surge", bag) ?? false,
            Deadline: JsonReading.Duration(u, path, "Deadline", bag));
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")]
    private static partial Regex IdPattern();
}
