using Deploy.Engine.Diagnostics;
using Deploy.Engine.Groups;
using Deploy.Engine.Plugins.Instance;
using Deploy.Engine.Spec;

namespace Deploy.Engine.Plugins.Server;

/// <summary>
/// Deploy's group service behind InfraKit's group methods, as its default group plugin (socket <c>group</c>) answers them.
/// Each method does exactly what the matching <c>deploy group</c> command does: the same locks, journal, plan and tags.
/// </summary>
internal sealed class GroupMethods(GroupService groups) : IPluginMethods
{
    private readonly UpdateRuns _updates = new();

    public IReadOnlyList<string> Methods { get; } =
    [
        "Group.Watch", "Group.Unwatch/{id}", "Group.Inspect/{id}", "Group.DescribeUpdate", "Group.Update", "Group.StopUpdate/{id}", "Group.Destroy/{id}",
    ];

    public async Task<PluginResponse?> CallAsync(string method, string? id, byte[] body, CancellationToken cancellationToken)
    {
        switch (method, id)
        {
            case ("Group.Watch", null):
                await groups.WatchJsonAsync(SpecText(method, body), method, cancellationToken);
                return PluginResponse.Empty;

            case ("Group.Unwatch", { } groupId):
                groups.Free(groupId);
                return PluginResponse.Empty;

            case ("Group.Inspect", { } groupId):
                var members = await groups.InspectAsync(groupId, cancellationToken);
                return PluginResponse.Json(new Dictionary<string, object>
                {
                    ["Instances"] = members.Select(m => InfraKitTypes.Write(new InstanceDescription(m.Id, m.LogicalId, m.Tags, m.Endpoint))).ToList(),
                });

            case ("Group.DescribeUpdate", null):
                var change = await groups.DescribeJsonAsync(SpecText(method, body), method, cancellationToken);
                return PluginResponse.Json(new Dictionary<string, string> { ["message"] = change.Plan });

            case ("Group.Update", null):
                var text = SpecText(method, body);
                await _updates.RunAsync(IdOf(method, body), token => groups.UpdateJsonAsync(text, method, token), cancellationToken);
                return PluginResponse.Empty;

            case ("Group.StopUpdate", { } groupId):
                StopUpdate(groupId);
                return PluginResponse.Empty;

            case ("Group.Destroy", { } groupId):
                await groups.DestroyAsync(groupId, cancellationToken);
                return PluginResponse.Empty;

            default:
                return null;
        }
    }

    // Stops an update this server runs; an update run by another process is that process's to stop (its lock and
    // journal say who), and a watched group with no update in flight has nothing to stop, as in InfraKit.
    private void StopUpdate(string groupId)
    {
        if (_updates.Stop(groupId))
        {
            return;
        }

        groups.CheckWatched(groupId);
        if (groups.State.Journal.Pending(groupId) is { InFlightElsewhere: true } pending)
        {
            throw new DeployException(Errors.Refused,
                $"group {groupId} is being updated by pid {pending.Pid} (since {pending.Started:u}), not by this plugin server; stop that command (Ctrl-C or SIGTERM) instead");
        }
    }

    // The body exactly as sent (not re-serialised), so the engine's diagnostics point at the request's own lines and columns.
    private static string SpecText(string method, byte[] body)
    {
        InfraKitTypes.RequiredBody(method, body, "a group Spec {\"ID\": \"...\", \"Properties\": {...}}");
        return System.Text.Encoding.UTF8.GetString(body);
    }

    // The ID names the update StopUpdate may cancel; a body without one fails in the engine's validation, which says why.
    private static string? IdOf(string method, byte[] body) =>
        JsonReading.TryGet(InfraKitTypes.RequiredBody(method, body, "a group Spec").Root, "ID", out var id) && id.ValueKind == System.Text.Json.JsonValueKind.String
            ? id.GetString()
            : null;
}
