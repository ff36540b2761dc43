using System.Diagnostics;
using System.Text.Json;
using Deploy.Engine.Diagnostics;
using Deploy.Engine.Events;

namespace Deploy.Engine.State;

/// <summary>
/// A lock held as a file <c>locks/&lt;name&gt;.lock</c> recording pid, host and process start time. A lock whose
/// process is dead (or whose pid was reused) is taken over with a warning; a live one refuses with exit 3.
/// </summary>
public sealed class LockFile : IDisposable
{
    private readonly string _path;
    private bool _released;

    private LockFile(string path) => _path = path;

    /// <summary>Who holds a lock.</summary>
    public sealed record Holder(int Pid, string Host, DateTimeOffset ProcessStart, DateTimeOffset Acquired, string Command);

    /// <summary>Takes the lock or throws <see cref="Errors.Locked"/> naming the holder.</summary>
    public static LockFile Acquire(string locksDirectory, string name, string command, IDeployEvents events) =>
        TryAcquire(locksDirectory, name, command, events, out var holder)
        ?? throw new DeployException(Errors.Locked,
            $"{name} is locked by pid {holder!.Pid} on {holder.Host} ({holder.Command}, since {holder.Acquired:u}); wait for it to finish, or stop it");

    /// <summary>Takes the lock, or returns null and the live holder.</summary>
    public static LockFile? TryAcquire(string locksDirectory, string name, string command, IDeployEvents events, out Holder? holder)
    {
        Directory.CreateDirectory(locksDirectory);
        var path = Path.Combine(locksDirectory, name + ".lock");
        var me = Process.GetCurrentProcess();
        var mine = new Holder(me.Id, Environment.MachineName, me.StartTime.ToUniversalTime(), DateTimeOffset.UtcNow, command);
        for (var attempt = 0; attempt < 5; attempt++)
        {
            // Write the record completely, then link it into place without overwrite: either we hold it or we read a whole record.
            var temp = $"{path}.{me.Id}.{Guid.NewGuid():N}.tmp";
            File.WriteAllText(temp, JsonSerializer.Serialize(mine));
            try
            {
                File.Move(temp, path, overwrite: false);
                holder = null;
                return new LockFile(path);
            }
            catch (IOException) when (File.Exists(path))
            {
                File.Delete(temp);
            }

            holder = Read(path);
            if (holder is not null && IsAlive(holder))
            {
                return null;
            }

            if (TakeOver(path, holder))
            {
                events.Warn(new Diagnostic(Errors.StaleLock,
                    holder is null
                        ? $"{name}: took over an unreadable lock file"
                        : $"{name}: took over the lock of pid {holder.Pid} ({holder.Command}), which is no longer running"));
            }
        }

        holder = Read(path);
        return null;
    }

    /// <summary>The current holder of lock <paramref name="name"/>, if any and alive.</summary>
    public static Holder? Peek(string locksDirectory, string name)
    {
        var holder = Read(Path.Combine(locksDirectory, name + ".lock"));
        return holder is not null && IsAlive(holder) ? holder : null;
    }

    /// <summary>Releases the lock. Idempotent.</summary>
    public void Dispose()
    {
        if (!_released)
        {
            _released = true;
            File.Delete(_path);
        }
    }

    private static Holder? Read(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<Holder>(File.ReadAllText(path));
        }
        catch (Exception e) when (e is IOException or JsonException)
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
        if (moved is not null && stale is not null && moved != stale)
        {
            // Someone took the lock between our read and our move: give it back.
            try
            {
                File.Move(aside, path, overwrite: false);
            }
            catch (IOException)
            {
            }

            return false;
        }

        File.Delete(aside);
        return true;
    }

    private static bool IsAlive(Holder holder)
    {
        if (!string.Equals(holder.Host, Environment.MachineName, StringComparison.Ordinal))
        {
            return true; // a lock from another host cannot be checked: respect it
        }

        try
        {
            using var process = Process.GetProcessById(holder.Pid);
            var start = process.StartTime.ToUniversalTime();
            return Math.Abs((start - holder.ProcessStart.UtcDateTime).TotalSeconds) < 2;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }
}
