using System.Diagnostics;
using System.Runtime.InteropServices;
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
/// both takes the app lock first and group locks after it, in group-ID order; nothing takes an app lock while holding
/// a group lock. The controller takes each kind alone, never waits, and skips what is held.
/// </para>
/// </summary>
public sealed class LockFile : IDisposable
{
    private const int Attempts = 20;

    // Lock files are linked into place whole, so an unreadable one is either vanishing now or was damaged by hand.
    private static readonly TimeSpan UnreadableAge = TimeSpan.FromSeconds(2);
    private readonly string _path;
    private readonly Holder _mine;
    private bool _released;

    private LockFile(string path, Holder mine)
    {
        _path = path;
        _mine = mine;
    }

    /// <summary>Who holds a lock.</summary>
    public sealed record Holder(int Pid, string Host, DateTimeOffset ProcessStart, DateTimeOffset Acquired, string Command, string? PidNamespace = null)
    {
        /// <summary>The process this record names.</summary>
        public ProcessOwner Owner => new(Pid, Host, ProcessStart, PidNamespace);
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
        var mine = new Holder(me.Pid, me.Host, me.ProcessStart!.Value, DateTimeOffset.UtcNow, command, me.PidNamespace);
        string? removed = null;
        holder = null;
        for (var attempt = 0; attempt < Attempts; attempt++)
        {
            if (TryLink(path, mine))
            {
                if (removed is not null)
                {
                    events.Warn(new Diagnostic(Errors.StaleLock, $"{name}: took over {removed}"));
                }

                holder = null;
                return new LockFile(path, mine);
            }

            // The move failed: the file existed then. It may be gone already (its holder released it), or held: only
            // a readable record of a live process is an answer; a vanished or stale file is looked at again.
            holder = Read(path);
            if (holder is not null && holder.Owner.IsAlive())
            {
                return null;
            }

            if (RemoveStale(path, holder))
            {
                removed = holder is null
                    ? "an unreadable lock file"
                    : $"the lock of pid {holder.Pid} ({holder.Command}), which is no longer running";
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
            : $"{name} is locked by pid {holder.Pid} on {holder.Owner.Where} ({holder.Command}, since {holder.Acquired:u}); wait for it to finish, or stop it");

    // Write the record completely, then hard-link it into place: link(2) fails atomically when the name exists, so
    // either we hold it or we read a whole record. (File.Move without overwrite is not atomic on Unix: .NET checks for
    // the target, then renames over it, and two takers can both succeed.)
    private static bool TryLink(string path, Holder mine)
    {
        var temp = $"{path}.{mine.Pid}.{Guid.NewGuid():N}.tmp";
        File.WriteAllText(temp, JsonSerializer.Serialize(mine));
        try
        {
            if (OperatingSystem.IsWindows())
            {
                File.Move(temp, path, overwrite: false); // MoveFileEx without REPLACE_EXISTING is atomic there
                return true;
            }

            if (link(temp, path) == 0)
            {
                return true;
            }

            var errno = Marshal.GetLastPInvokeError();
            return errno == EExist ? false : throw new IOException($"cannot create the lock file {path} (errno {errno})");
        }
        catch (IOException) when (File.Exists(path))
        {
            return false;
        }
        finally
        {
            File.Delete(temp);
        }
    }

    private const int EExist = 17; // Linux and macOS alike

    [DllImport("libc", SetLastError = true)]
    private static extern int link(string oldpath, string newpath);

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

    // Removing a stale lock must not remove a fresh one that replaced it between our read and our delete. Removers
    // serialise on a kernel lock (flock through FileShare.None, released by the kernel if the remover dies) and read
    // again inside it; a holder never replaces its file, so the record read there is the one deleted.
    private static bool RemoveStale(string path, Holder? stale)
    {
        FileStream guard;
        try
        {
            guard = new FileStream(path + ".takeover", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            Thread.Sleep(1); // another process is removing it: look again
            return false;
        }

        using (guard)
        {
            // One stat for both facts: a file that vanished between two looks must not count as an old one.
            var file = new FileInfo(path);
            var stillStale = stale is null
                ? file.Exists && DateTime.UtcNow - file.LastWriteTimeUtc > UnreadableAge && Read(path) is null
                : Read(path) == stale;
            if (!stillStale)
            {
                return false;
            }

            File.Delete(path);
            return true;
        }
    }
}
