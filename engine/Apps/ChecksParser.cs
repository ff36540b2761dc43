using System.Text.Json;
using System.Text.Json.Nodes;
using Deploy.Engine.Diagnostics;
using static Deploy.Engine.Spec.JsonReading;

namespace Deploy.Engine.Apps;

/// <summary>Reads the resolved Health and Verify sections, with their defaults.</summary>
internal static class ChecksParser
{
    public static HealthSpec? Health(JsonObject? node, DiagnosticBag bag)
    {
        if (node is null)
        {
            return null;
        }

        const string path = "$.Health";
        var e = JsonSerializer.SerializeToElement(node);
        var p = HttpPath(e, path, bag);
        return new HealthSpec(
            p ?? "/",
            Duration(e, path, "Interval", bag) ?? TimeSpan.FromMilliseconds(500),
            Duration(e, path, "Timeout", bag) ?? TimeSpan.FromSeconds(2),
            Int(e, path, "HealthyThreshold", bag, min: 1) ?? 3,
            Duration(e, path, "Deadline", bag) ?? TimeSpan.FromSeconds(60));
    }

    public static VerifySpec? Verify(JsonObject? node, DiagnosticBag bag)
    {
        if (node is null)
        {
            return null;
        }

        const string path = "$.Verify";
        var e = JsonSerializer.SerializeToElement(node);
        var p = HttpPath(e, path, bag);
        return new VerifySpec(
            p ?? "/",
            String(e, path, "Expect", bag, required: false, ""),
            String(e, path, "Contains", bag, required: false, ""),
            Duration(e, path, "Duration", bag) ?? TimeSpan.FromSeconds(3));
    }

    private static string? HttpPath(JsonElement e, string path, DiagnosticBag bag)
    {
        var p = String(e, path, "Path", bag, required: true, "give the HTTP path to probe, e.g. \"/healthz\"");
        if (p is not null && !p.StartsWith('/'))
        {
            bag.Add(Errors.InvalidValue, ChildPath(e, path, "Path"), $"must start with '/' (was \"{p}\")");
        }

        return p;
    }
}
