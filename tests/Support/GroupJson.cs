using System.Text.Json;
using System.Text.Json.Nodes;

namespace Deploy.Tests.Support;

/// <summary>Builds group spec JSON with named arguments, in the seed's shape.</summary>
public static class GroupJson
{
    public static string Scaler(
        string id = "app",
        int size = 2,
        string note = "v1",
        string userData = "run app",
        string instancePlugin = "instance-memory",
        string flavorPlugin = "flavor-vanilla",
        bool? healthy = null,
        int? updateCount = null,
        bool? surge = null,
        string? deadline = null) =>
        Build(id, new JsonObject { ["Size"] = size }, note, userData, instancePlugin, flavorPlugin, healthy, updateCount, surge, deadline);

    public static string Quorum(
        string id = "quorum",
        string[]? logicalIds = null,
        string note = "v1",
        string instancePlugin = "instance-memory") =>
        Build(id, new JsonObject { ["LogicalIDs"] = new JsonArray((logicalIds ?? ["10.0.0.1", "10.0.0.2", "10.0.0.3"]).Select(l => (JsonNode)l!).ToArray()) },
            note, "run app", instancePlugin, "flavor-vanilla", null, null, null, null);

    private static string Build(string id, JsonObject allocation, string note, string userData, string instancePlugin, string flavorPlugin,
        bool? healthy, int? updateCount, bool? surge, string? deadline)
    {
        var instanceProps = new JsonObject { ["Note"] = note };
        if (healthy is not null)
        {
            instanceProps["Healthy"] = healthy.Value;
        }

        var properties = new JsonObject
        {
            ["Allocation"] = allocation,
            ["Instance"] = new JsonObject { ["Plugin"] = instancePlugin, ["Properties"] = instanceProps },
            ["Flavor"] = new JsonObject
            {
                ["Plugin"] = flavorPlugin,
                ["Properties"] = new JsonObject { ["UserData"] = new JsonArray(userData), ["Labels"] = new JsonObject { ["tier"] = "web" } },
            },
        };
        var updating = new JsonObject();
        if (updateCount is not null) updating["Count"] = updateCount.Value;
        if (surge is not null) updating["Surge"] = surge.Value;
        if (deadline is not null) updating["Deadline"] = deadline;
        if (updating.Count > 0) properties["Updating"] = updating;
        return new JsonObject { ["ID"] = id, ["Properties"] = properties }.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }
}
