using System.Globalization;
using System.Text;

namespace Deploy.Engine.Plugins.Instance.Process;

/// <summary>
/// Reads the operating system's process table. A pid alone is not an identity (pids are reused), so a process
/// is named by its pid and its start time together.
/// </summary>
internal static class ProcessTable
{
    /// <summary>
    /// The start time of the live process <paramref name="pid"/> (Linux: clock ticks after boot, field 22 of
    /// <c>/proc/&lt;pid&gt;/stat</c>), or null when there is none or it is a zombie that has already exited.
    /// </summary>
    public static long? StartTime(int pid)
    {
        if (pid <= 0)
        {
            return null;
        }

        if (!OperatingSystem.IsLinux())
        {
            return OtherStartTime(pid);
        }

        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        // The command name (field 2) is in parentheses and may itself hold spaces or ')'.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        if (fields.Length < 20 || fields[0] is "Z" or "X" or "x")
        {
            return null;
        }

        return long.TryParse(fields[19], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks) ? ticks : null;
    }

    /// <summary>True when <paramref name="pid"/> is alive and started at <paramref name="startTime"/>.</summary>
    public static bool IsAlive(int pid, long startTime) => StartTime(pid) == startTime;

    /// <summary>
    /// The pid of the live process started for <paramref name="instanceId"/>, found by the
    /// <c>DEPLOY_INSTANCE_ID</c> variable in its environment; null when none is found (or on systems without /proc).
    /// </summary>
    public static int? FindByInstanceId(string instanceId)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        var needle = Encoding.UTF8.GetBytes($"\0{ProcessInstancePlugin.InstanceIdVariable}={instanceId}\0");
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            try
            {
                // A leading NUL lets the first variable match like the others.
                var environ = (byte[])[0, .. File.ReadAllBytes(Path.Combine(dir, "environ")), 0];
                if (environ.AsSpan().IndexOf(needle) >= 0 && StartTime(pid) is not null)
                {
                    return pid;
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Other users' processes and processes that just exited cannot be ours.
            }
        }

        return null;
    }

    /// <summary>Collects <paramref name="pid"/> if it is an exited child of this process, so it stops showing as a zombie.</summary>
    public static void Reap(int pid) => Native.waitpid(pid, out _, Native.WNoHang);

    // macOS and others: no /proc, but .NET knows the start time; exited children are reaped before asking.
    private static long? OtherStartTime(int pid)
    {
        Reap(pid);
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return process.HasExited ? null : process.StartTime.ToUniversalTime().Ticks / TimeSpan.TicksPerMillisecond;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}
