using System.Diagnostics;

namespace Deploy.Engine.State;

/// <summary>
/// A process as the state folder records it: pid, host and start time. A pid alone is not an identity (pids are
/// reused), so a record names a live owner only when a process with that pid runs here and started at that time.
/// </summary>
public sealed record ProcessOwner(int Pid, string Host, DateTimeOffset? ProcessStart)
{
    /// <summary>This process.</summary>
    public static ProcessOwner Current { get; } = Of(Process.GetCurrentProcess());

    /// <summary>True when this record names the calling process.</summary>
    public bool IsCurrent => Pid == Current.Pid && Host == Current.Host && SameStart(ProcessStart, Current.ProcessStart);

    /// <summary>
    /// True while the recorded process still runs. A record from another host cannot be checked and counts as alive;
    /// a record without a start time (written by an older release) is judged by its pid alone.
    /// </summary>
    public bool IsAlive()
    {
        if (!string.Equals(Host, Environment.MachineName, StringComparison.Ordinal))
        {
            return true;
        }

        try
        {
            using var process = Process.GetProcessById(Pid);
            return ProcessStart is null || SameStart(process.StartTime.ToUniversalTime(), ProcessStart);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }

    private static ProcessOwner Of(Process process)
    {
        using (process)
        {
            return new ProcessOwner(process.Id, Environment.MachineName, process.StartTime.ToUniversalTime());
        }
    }

    // Start times read from /proc are rounded to clock ticks; two seconds separates a reused pid from its predecessor.
    private static bool SameStart(DateTimeOffset? a, DateTimeOffset? b) =>
        a is { } x && b is { } y && Math.Abs((x - y).TotalSeconds) < 2;
}
