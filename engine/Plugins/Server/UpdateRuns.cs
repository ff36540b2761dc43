using System.Collections.Concurrent;
using Deploy.Engine.Diagnostics;

namespace Deploy.Engine.Plugins.Server;

/// <summary>
/// The group updates running in this plugin server, by group ID, so <c>Group.StopUpdate</c> can cancel one. Stopping cancels
/// the update as Ctrl-C stops <c>deploy group update</c>: the step in progress is cut short, no further old instance is
/// destroyed, the new spec stays committed, and the next update (or the controller) converges the rest.
/// </summary>
internal sealed class UpdateRuns
{
    private readonly ConcurrentDictionary<string, CancellationTokenSource> _running = new(StringComparer.Ordinal);

    /// <summary>Runs <paramref name="update"/> so that <see cref="Stop"/> can cancel it; a stopped update ends in a refused error.</summary>
    public async Task RunAsync(string? groupId, Func<CancellationToken, Task> update, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        // A second update of the same group while one runs is refused by the group's lock; it must not take over the entry.
        var registered = groupId is not null && _running.TryAdd(groupId, stop);
        try
        {
            await update(stop.Token);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new DeployException(Errors.Refused,
                $"the update of group {groupId} was stopped (Group.StopUpdate); instances already replaced stay, the new spec stays committed; " +
                "send Group.Update again (or run 'deploy group update FILE') to finish it");
        }
        finally
        {
            if (registered)
            {
                _running.TryRemove(new KeyValuePair<string, CancellationTokenSource>(groupId!, stop));
            }
        }
    }

    /// <summary>Cancels the update of <paramref name="groupId"/> running here; false when none is. Stopping twice is harmless.</summary>
    public bool Stop(string groupId)
    {
        if (!_running.TryGetValue(groupId, out var stop))
        {
            return false;
        }

        try
        {
            stop.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Finished between the lookup and the cancel: nothing left to stop.
        }

        return true;
    }
}
