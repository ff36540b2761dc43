using Deploy.Engine.State;

namespace Deploy.Engine.BlueGreen;

/// <summary>
/// The locks of both colour groups of an app, held by a command that converges, flips or destroys them, so exactly one
/// party owns a group at a time. Taken after the app lock, in group-ID order (see <see cref="LockFile"/>). The controller
/// holds a lock only for one short pass, so a command waits for it (up to <see cref="Wait"/>); any other holder means exit 3.
/// </summary>
internal sealed class GroupLocks : IDisposable
{
    /// <summary>How long a command waits for the controller's hold of a lock before refusing.</summary>
    public static readonly TimeSpan Wait = TimeSpan.FromMinutes(2);

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

    private static Task<LockFile> WaitAsync(AppContext ctx, string groupId, string command, CancellationToken ct) =>
        LockFile.AcquireAsync(ctx.Groups.State.LocksDirectory, "group-" + groupId, command, ctx.Events, Wait, ct);

    public void Dispose()
    {
        foreach (var held in _held)
        {
            held.Dispose();
        }

        _held.Clear();
    }
}
