using System.Collections.Concurrent;
using Deploy.Engine.Events;
using Deploy.Engine.Planning;
using Deploy.Engine.Plugins.Instance;

namespace Deploy.Tests.Support;

/// <summary>
/// Counts the file plugin's instances per group (<c>deploy.group</c> tag) over and over until stopped, keeping the
/// highest count seen for each group: what a user polling <c>deploy group inspect</c> would have seen at worst.
/// </summary>
public sealed class GroupSizeSampler : IAsyncDisposable
{
    private readonly FileInstancePlugin _files;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<string, int> _max = new(StringComparer.Ordinal);
    private readonly Task _loop;
    private long _samples;

    public GroupSizeSampler(string instancesDirectory)
    {
        _files = new FileInstancePlugin(instancesDirectory, NullEvents.Instance);
        _loop = Task.Run(LoopAsync);
    }

    /// <summary>The highest instance count seen per group.</summary>
    public IReadOnlyDictionary<string, int> Max => _max;

    /// <summary>How many complete looks at the folder were taken.</summary>
    public long Samples => Interlocked.Read(ref _samples);

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await _loop;
    }

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var all = await _files.DescribeAsync(new Dictionary<string, string>(), CancellationToken.None);
            foreach (var group in all.GroupBy(i => i.Tags.GetValueOrDefault(GroupPlanner.GroupTag) ?? ""))
            {
                _max.AddOrUpdate(group.Key, group.Count(), (_, seen) => Math.Max(seen, group.Count()));
            }

            Interlocked.Increment(ref _samples);
            await Task.Delay(2);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await StopAsync();
        }

        _stop.Dispose();
    }
}
