using System.Text.Json;
using Deploy.Engine.Diagnostics;
using Deploy.Engine.Json;
using Deploy.Engine.Plugins.Instance;
using Deploy.Engine.Spec;

namespace Deploy.Engine.Plugins.Flavor;

/// <summary>
/// InfraKit's vanilla flavor: <c>UserData</c> (or <c>Init</c>) lines become the instance's init script,
/// <c>Labels</c> (or <c>Tags</c>) become tags. Instances are always healthy.
/// </summary>
public sealed class VanillaFlavor : IFlavorPlugin
{
    /// <summary>Every property this flavor reads; any other is refused.</summary>
    public static readonly string[] Known = ["UserData", "Init", "Labels", "Tags"];

    public string Name => "flavor-vanilla";

    public string Description => "Init lines (UserData) and labels; always healthy";

    public IEnumerable<Diagnostic> Validate(JsonElement? properties, string path)
    {
        if (properties is not { } p)
        {
            yield break;
        }

        if (p.ValueKind != JsonValueKind.Object)
        {
            yield return new Diagnostic(Errors.WrongType, $"must be an object (was {JsonReading.Describe(p)}); e.g. {{\"UserData\": [...], \"Labels\": {{}}}}", Path: path);
            yield break;
        }

        var unknown = new DiagnosticBag();
        JsonReading.KnownFields(p, path, unknown, Known);
        foreach (var d in unknown.Items)
        {
            yield return d;
        }

        foreach (var name in new[] { "UserData", "Init" })
        {
            if (JsonReading.TryGet(p, name, out var lines) && !IsLines(lines))
            {
                yield return new Diagnostic(Errors.WrongType, "must be a list of strings (one line each) or a string", Path: JsonReading.ChildPath(p, path, name));
            }
        }

        foreach (var name in new[] { "Labels", "Tags" })
        {
            if (!JsonReading.TryGet(p, name, out var labels))
            {
                continue;
            }

            var at = JsonReading.ChildPath(p, path, name);
            if (labels.ValueKind != JsonValueKind.Object)
            {
                yield return new Diagnostic(Errors.WrongType, "must be an object of string values, e.g. {\"tier\": \"web\"}", Path: at);
                continue;
            }

            foreach (var label in labels.EnumerateObject())
            {
                if (label.Value.ValueKind != JsonValueKind.String)
                {
                    yield return new Diagnostic(Errors.WrongType, $"must be a string (was {JsonReading.Describe(label.Value)})", Path: JsonPath.Child(at, label.Name));
                }
                else if (label.Name.StartsWith("deploy.", StringComparison.Ordinal))
                {
                    yield return new Diagnostic(Errors.InvalidValue, "labels starting with \"deploy.\" are reserved for the engine; rename it", Path: JsonPath.Child(at, label.Name));
                }
            }
        }
    }

    public InstanceSpec Prepare(JsonElement? properties, InstanceSpec spec)
    {
        if (properties is not { ValueKind: JsonValueKind.Object } p)
        {
            return spec;
        }

        var lines = new List<string>();
        if (!string.IsNullOrEmpty(spec.Init))
        {
            lines.Add(spec.Init);
        }

        foreach (var name in new[] { "UserData", "Init" })
        {
            if (JsonReading.TryGet(p, name, out var v))
            {
                lines.AddRange(v.ValueKind == JsonValueKind.String ? [v.GetString()!] : v.EnumerateArray().Select(l => l.GetString() ?? ""));
            }
        }

        var tags = new Dictionary<string, string>(spec.Tags, StringComparer.Ordinal);
        foreach (var name in new[] { "Labels", "Tags" })
        {
            if (JsonReading.TryGet(p, name, out var labels) && labels.ValueKind == JsonValueKind.Object)
            {
                foreach (var label in labels.EnumerateObject())
                {
                    // The engine's own tags always win: they are how instances are found again.
                    tags.TryAdd(label.Name, label.Value.GetString() ?? "");
                }
            }
        }

        return spec with { Init = lines.Count == 0 ? null : string.Join("\n", lines), Tags = tags };
    }

    public Task<InstanceHealth> HealthAsync(JsonElement? properties, InstanceDescription instance, CancellationToken cancellationToken) =>
        Task.FromResult(InstanceHealth.Healthy);

    public Task DrainAsync(JsonElement? properties, InstanceDescription instance, CancellationToken cancellationToken) =>
        Task.CompletedTask;

    private static bool IsLines(JsonElement v) =>
        v.ValueKind == JsonValueKind.String ||
        (v.ValueKind == JsonValueKind.Array && v.EnumerateArray().All(l => l.ValueKind == JsonValueKind.String));
}
