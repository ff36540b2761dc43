using System.Text.Json;
using Deploy.Engine.Diagnostics;

namespace Deploy.Engine.Plugins.Instance;

/// <summary>
/// Instances kept in memory: an honest, simple plugin for engine tests and the benchmarks.
/// IDs are <c>instance-1</c>, <c>instance-2</c>, … in creation order, which is also the order describe returns.
/// </summary>
public sealed class MemoryInstancePlugin : IInstancePlugin
{
    private const string Prefix = "instance-";

    // Keyed by the ID's number, so describing lists instances in ID order without sorting them each time.
    private readonly SortedDictionary<long, InstanceSpec> _instances = new();
    private readonly Lock _gate = new();
    private long _next;

    public string Name => "instance-memory";

    public string Description => "Instances held in memory (tests and benchmarks)";

    /// <summary>How many instances exist now.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _instances.Count;
            }
        }
    }

    public IEnumerable<Diagnostic> Validate(JsonElement? properties, string path) => [];

    public Task<string> ProvisionAsync(InstanceSpec spec, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var number = ++_next;
            _instances[number] = spec;
            return Task.FromResult(Prefix + number);
        }
    }

    public Task DestroyAsync(string instanceId, CancellationToken cancellationToken)
    {
        if (Number(instanceId) is { } number)
        {
            lock (_gate)
            {
                _instances.Remove(number);
            }
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<InstanceDescription>> DescribeAsync(IReadOnlyDictionary<string, string> tags, CancellationToken cancellationToken)
    {
        var found = new List<InstanceDescription>();
        lock (_gate)
        {
            foreach (var (number, spec) in _instances)
            {
                if (TagFilter.Matches(spec.Tags, tags))
                {
                    found.Add(new InstanceDescription(Prefix + number, spec.LogicalId, spec.Tags));
                }
            }
        }

        return Task.FromResult<IReadOnlyList<InstanceDescription>>(found);
    }

    /// <summary>The spec an instance was provisioned with, or null when it is gone.</summary>
    public InstanceSpec? SpecOf(string instanceId)
    {
        lock (_gate)
        {
            return Number(instanceId) is { } number ? _instances.GetValueOrDefault(number) : null;
        }
    }

    private static long? Number(string instanceId) =>
        instanceId.StartsWith(Prefix, StringComparison.Ordinal) && long.TryParse(instanceId.AsSpan(Prefix.Length), out var n) ? n : null;
}
