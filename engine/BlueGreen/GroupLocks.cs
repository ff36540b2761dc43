using Deploy.Engine.Diagnostics;
using Deploy.Engine.State;

namespace Deploy.Engine.BlueGreen;

/// <summary>
/// The locks of both colour groups of an app, held by a command that converges, flips or destroys them, so exactly one
/// party owns a group at a time. Taken after the app lock, in group-ID order. The controller holds a group lock only for
/// one short pass, so a command waits for it; any other holder means exit 3.
/// </summary>
internal sealed class GroupLocks : IDisposable
{
    private readonly List<LockFile> _held = [];

    private GroupLocks()
    {
    }

    /// <summary>Takes the lock of each colour group of <paramref name="ctx"/>'s app.</summary>
    public static async Task<GroupLocks> AcquireAsync(AppContext ctx, string command, CancellationToken ct)
    {
        var locks = new GroupLocks();
        try
        {
            foreach (var id in ctx.App.Colours.Select(c => c.Group.Id).Order(StringComparer.Ordinal))
            {
                locks._held.Add(await WaitAsync(ctx, id, command, ct));
            }

            return locks;
        }
        catch
        {
            locks.Dispose();
            throw;
        }
    }

    private static async Task<LockFile> WaitAsync(AppContext ctx, string groupId, string command, CancellationToken ct)
    {
        while (true)
        {
            var held = LockFile.TryAcquire(ctx.Groups.State.LocksDirectory, "group-" + groupId, command, ctx.Events, out var holder);
            if (held is not null)
            {
                return held;
            }

            if (holder is not null && holder.Command != "serve")
            {
                throw new DeployException(Errors.Locked,
                    $"group-{groupId} is locked by pid {holder.Pid} on {holder.Host} ({holder.Command}, since {holder.Acquired:u}); wait for it to finish, or stop it");
            }

            await Task.Delay(25, ct);
        }
    }

    public void Dispose()
    {
        foreach (var held in _held)
        {
            held.Dispose();
        }

        _held.Clear();
    }
}
