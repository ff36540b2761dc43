using System.Diagnostics;
using System.Text.Json;
using Deploy.Engine.Diagnostics;
using Deploy.Engine.Events;

namespace Deploy.Engine.State;

/// <summary>
/// A lock held as a file <c>locks/&lt;name&gt;.lock</c> recording pid, host and process start time. A lock whose
/// process is dead (or whose pid was reused) is taken over with a warning; a live one refuses with exit 3.
/// <para>
/// Two kinds exist: <c>app-&lt;app&gt;</c> (one blue/green command per app) and <c>group-&lt;group&gt;</c> (whoever
/// converges, retires or destroys a group's instances: one owner per group). Ordering rule: a process that needs
/// both takes the app lock first and group locks after it, one group at a time; nothing takes an app lock while
/// holding a group lock. The controller takes each kind alone and skips what is held.
/// </para>
/// </summary>
public sealed class LockFile : IDisposable
{
    private const int Attempts = 20;
    private readonly string _path;
    private readonly Holder _mine;
    private bool _released;

    private LockFile(string path, Holder mine)
    {
        _path = path;
        _mine = mine;
    }

    /// <summary>Who holds a lock.</summary>
    public sealed record Holder(int Pid, string Host, DateTimeOffset ProcessStart, DateTimeOffset Acquired, string Command)
    {
        /// <summary>The process this record names.</summary>
        public ProcessOwner Owner => new(Pid, Host, ProcessStart);
    }

    /// <summary>Takes the lock or throws <see cref="Errors.Locked"/> naming the holder.</summary>
    public static LockFile Acquire(string locksDirectory, string name, string command, IDeployEvents events) =>
        TryAcquire(locksDirectory, name, command, events, out var holder) ?? throw Held(name, holder);

    /// <summary>The command name the controller (<c>deploy serve</c>) holds locks under.</summary>
    public const string ControllerCommand = "serve";

    /// <summary>
    /// Takes the lock like <see cref="Acquire"/>, except that while the controller holds it (its holds are one pass over
    /// one group or app) this polls for up to <paramref name="wait"/> before refusing. Another command's hold refuses at
    /// once. Cancelling <paramref name="cancellationToken"/> stops the wait.
    /// </summary>
    public static async Task<LockFile> AcquireAsync(string locksDirectory, string name, string command, IDeployEvents events,
        TimeSpan wait, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var announced = false;
        while (true)
        {
            if (TryAcquire(locksDirectory, name, command, events, out var holder) is { } taken)
            {
                return taken;
            }

            if (holder?.Command != ControllerCommand || clock.Elapsed >= wait)
            {
                throw Held(name, holder);
            }

            if (!announced)
            {
                announced = true;
                events.Info($"waiting for {name}: the controller (pid {holder.Pid}) holds it");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(20), cancellationToken);
        }
    }

    /// <summary>
    /// Takes the lock, or returns null and the live holder. Never throws for a race with another taker or releaser:
    /// a lock file that appears or vanishes between two looks is looked at again.
    /// </summary>
    public static LockFile? TryAcquire(string locksDirectory, string name, string command, IDeployEvents events, out Holder? holder)
    {
        Directory.CreateDirectory(locksDirectory);
        var path = Path.Combine(locksDirectory, name + ".lock");
        var me = ProcessOwner.Current;
        var mine = new Holder(me.Pid, me.Host, me.ProcessStart!.Value, DateTimeOffset.UtcNow, command);
        holder = null;
        for (var attempt = 0; attempt < Attempts; attempt++)
        {
            if (TryLink(path, mine))
            {
                holder = null;
                return new LockFile(path, mine);
            }

            // The move failed: the file existed then. It may be gone already (its holder released it), unreadable
            // for a moment, or held: only a readable record of a live process is an answer; anything else is retried.
            holder = Read(path);
            if (holder is null)
            {
                if (File.Exists(path) && attempt >= Attempts / 2 && TakeOver(path, null))
                {
                    events.Warn(new Diagnostic(Errors.StaleLock, $"{name}: took over an unreadable lock file"));
                }

                continue;
            }

            if (holder.Owner.IsAlive())
            {
                return null;
            }

            if (TakeOver(path, holder))
            {
                events.Warn(new Diagnostic(Errors.StaleLock,
                    $"{name}: took over the lock of pid {holder.Pid} ({holder.Command}), which is no longer running"));
            }
        }

        // Still contended after every attempt: report whoever holds it now as the holder (a clean "held").
        holder = Read(path) ?? holder;
        return null;
    }

    /// <summary>The current holder of lock <paramref name="name"/>, if any and alive.</summary>
    public static Holder? Peek(string locksDirectory, string name)
    {
        var holder = Read(Path.Combine(locksDirectory, name + ".lock"));
        return holder is not null && holder.Owner.IsAlive() ? holder : null;
    }

    /// <summary>Releases the lock. Idempotent; a lock taken over by someone else meanwhile is left to them.</summary>
    public void Dispose()
    {
        if (_released)
        {
            return;
        }

        _released = true;
        if (Read(_path) is { } current && current != _mine)
        {
            return;
        }

        try
        {
            File.Delete(_path);
        }
        catch (IOException)
        {
        }
    }

    private static DeployException Held(string name, Holder? holder) =>
        new(Errors.Locked, holder is null
            ? $"{name} is locked by another command; wait for it to finish, or stop it"
            : $"{name} is locked by pid {holder.Pid} on {holder.Host} ({holder.Command}, since {holder.Acquired:u}); wait for it to finish, or stop it");

    // Write the record completely, then link it into place without overwrite: either we hold it or we read a whole record.
    private static bool TryLink(string path, Holder mine)
    {
        var temp = $"{path}.{mine.Pid}.{Guid.NewGuid():N}.tmp";
        File.WriteAllText(temp, JsonSerializer.Serialize(mine));
        try
        {
            File.Move(temp, path, overwrite: false);
            return true;
        }
        catch (IOException)
        {
            File.Delete(temp);
            return false;
        }
    }

    private static Holder? Read(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<Holder>(File.ReadAllText(path));
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    // Moving the stale file aside is atomic: if two processes race, only one moves it; the other retries.
    private static bool TakeOver(string path, Holder? stale)
    {
        var aside = $"{path}.stale.{Environment.ProcessId}.{Guid.NewGuid():N}";
        try
        {
            File.Move(path, aside);
        }
        catch (IOException)
        {
            return false;
        }

        var moved = Read(aside);
        if (moved is not null && moved != stale)
        {
            // Someone took the lock between our read and our move: give it back.
            try
            {
                File.Move(aside, path, overwrite: false);
            }
            catch (IOException)
            {
                File.Delete(aside);
            }

            return false;
        }

        File.Delete(aside);
        return true;
    }
}
