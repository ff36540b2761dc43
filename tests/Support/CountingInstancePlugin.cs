using System.Text.Json;
using Deploy.Engine.Diagnostics;
using Deploy.Engine.Plugins.Instance;

namespace Deploy.Tests.Support;

/// <summary>
/// The memory plugin seen through a window: after every provision and destroy it notes how many instances exist, so a
/// test sees the lowest and highest count during an update, not only the end state.
/// </summary>
public sealed class CountingInstancePlugin(MemoryInstancePlugin inner) : IInstancePlugin
{
    private readonly Lock _gate = new();
    private int _min = int.MaxValue;
    private int _max;

    public string Name => inner.Name;

    public string Description => inner.Description;

    /// <summary>The fewest instances that existed after any change since <see cref="Reset"/>.</summary>
    public int Min { get { lock (_gate) return _min; } }

    /// <summary>The most instances that existed after any change since <see cref="Reset"/>.</summary>
    public int Max { get { lock (_gate) return _max; } }

    /// <summary>Starts observing afresh from the current count.</summary>
    public void Reset()
    {
        lock (_gate)
        {
            _min = _max = inner.Count;
        }
    }

    public IEnumerable<Diagnostic> Validate(JsonElement? properties, string path) => inner.Validate(properties, path);

    public async Task<string> ProvisionAsync(InstanceSpec spec, CancellationToken cancellationToken)
    {
        var id = await inner.ProvisionAsync(spec, cancellationToken);
        Note();
        return id;
    }

    public async Task DestroyAsync(string instanceId, CancellationToken cancellationToken)
    {
        await inner.DestroyAsync(instanceId, cancellationToken);
        Note();
    }

    public Task<IReadOnlyList<InstanceDescription>> DescribeAsync(IReadOnlyDictionary<string, string> tags, CancellationToken cancellationToken) =>
        inner.DescribeAsync(tags, cancellationToken);

    // Read under the same gate as the update so a parallel provision and destroy are seen in some real order.
    private void Note()
    {
        lock (_gate)
        {
            var now = inner.Count;
            _min = Math.Min(_min, now);
            _max = Math.Max(_max, now);
        }
    }
}
