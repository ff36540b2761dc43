using System.Globalization;
using Docker.DotNet.Models;

namespace Deploy.Engine.Plugins.Group.Swarm;

/// <summary>
/// Pure translation between Deploy and Swarm: a commit into a <see cref="ServiceSpec"/>, and a service with its tasks
/// and the nodes into an <see cref="OrchestratedGroup"/>. No Docker call.
/// </summary>
public static class SwarmServiceSpec
{
    /// <summary>The service and container label holding the first port of the service's block.</summary>
    public const string PortBaseLabel = "deploy.port-base";

    /// <summary>
    /// The service that runs <paramref name="commit"/>: one task per replica on its node's network, each told its port
    /// by a Swarm template (the block's hundreds followed by its slot, zero-padded to two digits; Swarm templates see the slot as a string, hence %02s), the commit's tags as service and
    /// container labels, updates one step at a time, stopping first (a slot's new task takes its old one's port) and
    /// pausing on failure so the engine sees it.
    /// </summary>
    public static ServiceSpec Build(GroupCommit commit, SwarmProperties properties, int portBase, ulong forceUpdate)
    {
        var labels = new Dictionary<string, string>(commit.Tags, StringComparer.Ordinal) { [PortBaseLabel] = portBase.ToString(CultureInfo.InvariantCulture) };
        var port = (portBase / SwarmProperties.BlockSize).ToString(CultureInfo.InvariantCulture) + "{{printf \"%02s\" .Task.Slot}}";
        string Fill(string value) => value.Replace("{{port}}", port, StringComparison.Ordinal);
        return new ServiceSpec
        {
            Name = commit.GroupId,
            Labels = labels,
            Mode = new ServiceMode { Replicated = new ReplicatedService { Replicas = (ulong)commit.Replicas } },
            TaskTemplate = new TaskSpec
            {
                ContainerSpec = new ContainerSpec
                {
                    Image = properties.Image.Text,
                    Labels = labels,
                    Args = properties.Command?.Select(Fill).ToList(),
                    Env = properties.Env.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => $"{e.Key}={Fill(e.Value)}").ToList(),
                    Init = properties.Init,
                    Mounts = properties.Mounts.Select(Bind).ToList(),
                    StopGracePeriod = properties.StopGracePeriod,
                },
                Placement = new Placement
                {
                    Constraints = properties.Constraints.ToList(),
                    MaxReplicas = (ulong)properties.MaxReplicasPerNode,
                },
                RestartPolicy = new SwarmRestartPolicy { Condition = "any", Delay = TimeSpan.FromSeconds(1) },
                Networks = [new NetworkAttachmentConfig { Target = "host" }],
                ForceUpdate = forceUpdate,
            },
            UpdateConfig = new SwarmUpdateConfig
            {
                Parallelism = (ulong)commit.Updating.Count,
                Order = "stop-first",
                FailureAction = "pause",
                Monitor = TimeSpan.FromSeconds(2),
            },
        };
    }

    // "SOURCE:TARGET[:ro|:rw]", as BindMounts checked it.
    private static Mount Bind(string text)
    {
        var parts = text.Split(':');
        return new Mount { Type = "bind", Source = parts[0], Target = parts[1], ReadOnly = parts.Length > 2 && parts[2] == "ro" };
    }

    /// <summary>The group a service and its tasks make, with each running task's endpoint on its node's address.</summary>
    public static OrchestratedGroup Observe(ObservedService service, IEnumerable<TaskResponse> tasks, IReadOnlyDictionary<string, SwarmNode> nodes)
    {
        var labels = service.Labels;
        var portBase = labels.TryGetValue(PortBaseLabel, out var b) && int.TryParse(b, CultureInfo.InvariantCulture, out var parsed) ? parsed : (int?)null;
        var (rollout, message) = Rollout(service.UpdateStatus);
        var observed = tasks.Select(t => Task(t, nodes, portBase)).OrderByDescending(t => t.Desired).ThenBy(t => t.Slot).ToList();
        return new OrchestratedGroup(service.Name, (int)(service.Spec.Mode?.Replicated?.Replicas ?? 0),
            labels.TryGetValue(Planning.GroupPlanner.HashTag, out var hash) ? hash : null, rollout, message, observed);
    }

    private static GroupTask Task(TaskResponse task, IReadOnlyDictionary<string, SwarmNode> nodes, int? portBase)
    {
        var node = task.NodeID is { Length: > 0 } id ? nodes.GetValueOrDefault(id) : null;
        var state = State(task.Status?.State.ToString());
        var tags = ContainerTags(task.Spec?.ContainerSpec?.Labels);
        var endpoint = node is not null && portBase is { } start && task.Slot is { } slot and > 0 and < SwarmProperties.BlockSize
            ? new Instance.Endpoint("http", node.Address, start + (int)slot)
            : null;
        var error = task.Status?.Err is { Length: > 0 } err ? err : null;
        return new GroupTask(task.ID, (int)(task.Slot ?? 0), node?.Hostname ?? "", state, string.Equals(task.DesiredState.ToString(), "running", StringComparison.OrdinalIgnoreCase),
            tags, endpoint, error);
    }

    // The container labels a task was created with, less Deploy's bookkeeping label: the instance's tags.
    private static IReadOnlyDictionary<string, string> ContainerTags(IDictionary<string, string>? labels) =>
        (labels ?? new Dictionary<string, string>()).Where(l => l.Key != PortBaseLabel).ToDictionary(l => l.Key, l => l.Value, StringComparer.Ordinal);

    private static GroupTaskState State(string? state) => state?.ToLowerInvariant() switch
    {
        "running" => GroupTaskState.Running,
        "new" or "pending" or "allocated" or "assigned" => GroupTaskState.Pending,
        "accepted" or "preparing" or "ready" or "starting" => GroupTaskState.Starting,
        "failed" or "rejected" => GroupTaskState.Failed,
        _ => GroupTaskState.Stopped, // complete, shutdown, remove, orphaned
    };

    private static (GroupRollout, string?) Rollout(UpdateStatus? status) => status?.State?.ToLowerInvariant() switch
    {
        null or "" or "completed" => (GroupRollout.Complete, null),
        "updating" => (GroupRollout.Updating, status.Message),
        "paused" => (GroupRollout.Paused, status.Message),
        _ => (GroupRollout.RolledBack, status.Message), // rollback_started, rollback_paused, rollback_completed
    };
}
