using System.Net;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace Deploy.Engine.Plugins.Group.Swarm;

/// <summary>Swarm's nodes and task removal as the plugin needs them.</summary>
internal static class SwarmTasks
{
    /// <summary>A node from the manager's list; its address is where its tasks answer on the host network.</summary>
    public static SwarmNode Node(NodeListResponse node)
    {
        var address = node.Status?.Addr is { Length: > 0 } a && a != "0.0.0.0"
            ? a
            : node.ManagerStatus?.Addr is { Length: > 0 } m ? m[..m.LastIndexOf(':')].Trim('[', ']') : ""; // "[fd00::5]:2377": a host, not "[fd00::5]"
        var ready = string.Equals(node.Status?.State?.ToString(), "ready", StringComparison.OrdinalIgnoreCase)
            && string.Equals(node.Spec?.Availability, "active", StringComparison.OrdinalIgnoreCase);
        return new SwarmNode(node.ID, node.Description?.Hostname ?? node.ID, node.Spec?.Role ?? "", node.Description?.Platform?.OS ?? "",
            node.Description?.Platform?.Architecture ?? "", address, ready,
            (node.Spec?.Labels ?? new Dictionary<string, string>()).AsReadOnly(),
            (node.Description?.Engine?.Labels ?? new Dictionary<string, string>()).AsReadOnly());
    }

    /// <summary>
    /// The last <paramref name="lines"/> lines task <paramref name="taskId"/> wrote, read from its service's log (which
    /// Swarm gathers from the task's node) with each line's details, keeping the task's own; null when it wrote none.
    /// </summary>
    public static async Task<string?> LogTailAsync(DockerClient client, string serviceId, string taskId, int lines, CancellationToken ct)
    {
        using var stream = await client.Swarm.GetServiceLogsAsync(serviceId, false,
            new ServiceLogsParameters { ShowStdout = true, ShowStderr = true, Details = true, Tail = "500" }, ct);
        using var bytes = new MemoryStream();
        var buffer = new byte[16 * 1024];
        try
        {
            while (await stream.ReadOutputAsync(buffer, 0, buffer.Length, ct) is { EOF: false } read)
            {
                bytes.Write(buffer, 0, read.Count);
            }
        }
        catch (IOException)
        {
            // The daemon ends with an error frame when a node's logs cannot be had ("node ... is not available"); the
            // client cannot decode that frame. What came before it is every other node's log.
        }

        // Each line starts with its details: "com.docker.swarm.node.id=...,com.docker.swarm.service.id=...,com.docker.swarm.task.id=... ".
        var marker = "com.docker.swarm.task.id=" + taskId;
        var own = System.Text.Encoding.UTF8.GetString(bytes.GetBuffer(), 0, (int)bytes.Length).Split('\n')
            .Where(l => l.Contains(marker, StringComparison.Ordinal))
            .Select(l => l.IndexOf(' ') is var space and >= 0 ? l[(space + 1)..] : "");
        return Instance.LogLines.Tail(string.Join("\n", own), lines);
    }

    /// <summary>
    /// Returns once no task of service <paramref name="serviceId"/> runs or is starting, as the nodes report them, or after
    /// <paramref name="limit"/> (a node that is gone reports nothing).
    /// </summary>
    public static async Task WaitUntilDownAsync(DockerClient client, string serviceId, TimeSpan limit, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + limit;
        while (DateTime.UtcNow < deadline)
        {
            var tasks = await client.Tasks.ListAsync(SwarmGroupPlugin.ServiceFilter(serviceId), ct);
            var up = tasks.Count(t => t.Status?.State.ToString()?.ToLowerInvariant() is "running" or "starting" or "preparing" or "ready" or "accepted" or "assigned");
            if (up == 0)
            {
                return;
            }

            await Task.Delay(250, ct);
        }
    }

    /// <summary>
    /// Returns once Swarm has forgotten every task of <paramref name="taskIds"/> (their nodes confirmed them shut down
    /// and removed), or after <paramref name="limit"/>: a task on a node that is gone can only be forgotten when the node
    /// comes back or is removed, and waiting longer would not change that.
    /// </summary>
    public static async Task WaitUntilGoneAsync(DockerClient client, IReadOnlyList<string> taskIds, TimeSpan limit, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + limit;
        var left = taskIds.ToList();
        while (left.Count > 0 && DateTime.UtcNow < deadline)
        {
            var still = new List<string>();
            foreach (var id in left)
            {
                try
                {
                    await client.Tasks.InspectAsync(id, ct);
                    still.Add(id);
                }
                catch (DockerApiException e) when (e.StatusCode == HttpStatusCode.NotFound)
                {
                }
            }

            left = still;
            if (left.Count > 0)
            {
                await Task.Delay(250, ct);
            }
        }
    }
}
