using System.Collections.Concurrent;
using System.Text.Json;
using Deploy.Engine.Diagnostics;

namespace Deploy.Engine.Plugins.Instance;

/// <summary>
/// Instances kept in a dictionary: an honest, simple plugin for engine tests and the benchmarks.
/// IDs are <c>instance-1</c>, <c>instance-2</c>, … in creation order.
/// </summary>
public sealed class MemoryInstancePlugin : IInstancePlugin
{
    private readonly ConcurrentDictionary<string, InstanceSpec> _instances = new(StringComparer.Ordinal);
    private long _next;

    public string Name => "instance-memory";

    public string Description => "Instances held in memory (tests and benchmarks)";

    /// <summary>How many instances exist now.</summary>
    public int Count => _instances.Count;

    public IEnumerable<Diagnostic> Validate(JsonElement? properties, string path) => [];

    public Task<string> ProvisionAsync(InstanceSpec spec, CancellationToken cancellationToken)
    {
        var id = "instance-" + Interlocked.Increment(ref _next);
        _instances[id] = spec;
        return Task.FromResult(id);
    }

    public Task DestroyAsync(string instanceId, CancellationToken cancellationToken)
    {
        _instances.TryRemove(instanceId, out _);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<InstanceDescription>> DescribeAsync(IReadOnlyDictionary<string, string> tags, CancellationToken cancellationToken)
    {
        var found = _instances
            .Where(i => TagFilter.Matches(i.Value.Tags, tags))
            .Select(i => new InstanceDescription(i.Key, i.Value.LogicalId, i.Value.Tags))
            .OrderBy(i => i.Id, InstanceIdComparer.Instance)
            .ToList();
        return Task.FromResult<IReadOnlyList<InstanceDescription>>(found);
    }

    /// <summary>The spec an instance was provisioned with, or null when it is gone.</summary>
    public InstanceSpec? SpecOf(string instanceId) => _instances.GetValueOrDefault(instanceId);
}
