using System.Text.Json;
using Deploy.Engine.Diagnostics;
using Deploy.Engine.Planning;
using Deploy.Engine.Plugins.Group;

namespace Deploy.Tests.Support;

/// <summary>
/// An orchestrator kept in memory, for engine tests: an honest, simple group plugin named <c>group-memory</c>. A commit
/// replaces a group's spec (its version goes up, as Swarm's does); its reconciler, run on every inspection, keeps
/// Replicas tasks of the current spec running and stops the others. <c>Properties.FailWith</c> makes every new task
/// fail with that reason, as a node does with an image it cannot pull.
/// </summary>
public sealed class MemoryGroupPlugin : IGroupPlugin
{
    private readonly Dictionary<string, Group> _groups = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private int _nextTask;

    public string Name => "group-memory";

    public string Description => "Groups owned by an orchestrator kept in memory (tests)";

    public IEnumerable<Diagnostic> Validate(JsonElement? properties, int replicas, string path)
    {
        if (properties is not { ValueKind: JsonValueKind.Object } p || !p.TryGetProperty("Image", out var image) || image.ValueKind != JsonValueKind.String)
        {
            yield return new Diagnostic(Errors.Missing, "give Image", Path: path + ".Image");
        }
    }

    public (string Noun, string Runs) Describe(JsonElement? properties) =>
        ("service", properties is { ValueKind: JsonValueKind.Object } p && p.TryGetProperty("Image", out var i) ? $"image {i.GetString()}" : "its image");

    /// <summary>How many times the group's spec was committed (Swarm's version index); 0 when it does not exist.</summary>
    public int VersionOf(string groupId)
    {
        lock (_gate)
        {
            return _groups.TryGetValue(groupId, out var g) ? g.Version : 0;
        }
    }

    /// <summary>The properties the group was last committed with, as the orchestrator received them; empty when it does not exist.</summary>
    public string PropertiesOf(string groupId)
    {
        lock (_gate)
        {
            return _groups.TryGetValue(groupId, out var g) ? g.Commit.Properties?.GetRawText() ?? "" : "";
        }
    }

    /// <summary>The orchestrator stops the group's update, as Swarm pauses one whose new tasks fail; the next commit resumes it.</summary>
    public void Pause(string groupId, string why)
    {
        lock (_gate)
        {
            _groups[groupId].Paused = why;
        }
    }

    /// <summary>A node lost the task: it stops, and the reconciler replaces it at the next inspection.</summary>
    public void Lose(string taskId)
    {
        lock (_gate)
        {
            foreach (var group in _groups.Values)
            {
                group.Tasks = group.Tasks.Select(t => t.Id == taskId ? t with { State = GroupTaskState.Stopped, Desired = false } : t).ToList();
            }
        }
    }

    public Task<OrchestratedGroup?> InspectAsync(string groupId, JsonElement? properties, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (!_groups.TryGetValue(groupId, out var group))
            {
                return Task.FromResult<OrchestratedGroup?>(null);
            }

            Reconcile(group);
            return Task.FromResult<OrchestratedGroup?>(new OrchestratedGroup(groupId, group.Commit.Replicas, group.Commit.ConfigHash,
                group.Paused is null ? GroupRollout.Complete : GroupRollout.Paused, group.Paused, group.Tasks.ToList()));
        }
    }

    public Task CommitAsync(GroupCommit commit, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_groups.TryGetValue(commit.GroupId, out var group))
            {
                group.Commit = commit;
                group.Version++;
                group.Paused = null;
            }
            else
            {
                _groups[commit.GroupId] = new Group { Commit = commit, Version = 1 };
            }
        }

        return Task.CompletedTask;
    }

    public Task DestroyAsync(string groupId, JsonElement? properties, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _groups.Remove(groupId);
        }

        return Task.CompletedTask;
    }

    // Tasks of another spec stop; slots without a live task of this spec get a new one, failing when the spec says so.
    private void Reconcile(Group group)
    {
        var commit = group.Commit;
        var fail = commit.Properties is { ValueKind: JsonValueKind.Object } p && p.TryGetProperty("FailWith", out var f) ? f.GetString() : null;
        var tasks = group.Tasks.Select(t => t.Desired && (t.ConfigHash != commit.ConfigHash || t.Slot > commit.Replicas)
            ? t with { State = GroupTaskState.Stopped, Desired = false } : t).ToList();
        for (var slot = 1; slot <= commit.Replicas; slot++)
        {
            if (!tasks.Any(t => t.Desired && t.Slot == slot && t.State == GroupTaskState.Running))
            {
                tasks.RemoveAll(t => t.Desired && t.Slot == slot); // a failed task is retried, like Swarm's restart policy
                tasks.Add(new GroupTask($"task-{++_nextTask}", slot, "memory", fail is null ? GroupTaskState.Running : GroupTaskState.Failed,
                    Desired: fail is null, commit.Tags, Endpoint: null, fail));
            }
        }

        group.Tasks = tasks;
    }

    private sealed class Group
    {
        public required GroupCommit Commit { get; set; }

        public int Version { get; set; }

        public string? Paused { get; set; }

        public List<GroupTask> Tasks { get; set; } = [];
    }
}
