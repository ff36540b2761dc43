using System.Diagnostics;

namespace Deploy.Engine.State;

/// <summary>
/// A process as the state folder records it: pid, host, start time and PID namespace. A pid alone is not an identity
/// (pids are reused, and a container has pids of its own), so a record names a live owner only when a process with
/// that pid runs here, in this PID namespace, and started at that time.
/// </summary>
/// <param name="PidNamespace">
/// The inode of the process's PID namespace (<c>/proc/self/ns/pid</c>); null where it cannot be read, and in records of
/// older releases. A container on the host's network shares the host's name but not its pids.
/// </param>
public sealed record ProcessOwner(int Pid, string Host, DateTimeOffset? ProcessStart, string? PidNamespace = null)
{
    /// <summary>This process.</summary>
    public static ProcessOwner Current { get; } = Of(Process.GetCurrentProcess());

    /// <summary>True when this record names the calling process (a record without a namespace: by pid, host and start).</summary>
    public bool IsCurrent => Pid == Current.Pid && Host == Current.Host && (PidNamespace is null || PidNamespace == Current.PidNamespace)
        && SameStart(ProcessStart, Current.ProcessStart);

    /// <summary>
    /// True when this process can tell whether the recorded one runs: same host and same PID namespace (a record
    /// without a namespace is judged by its host alone).
    /// </summary>
    public bool IsCheckableHere =>
        string.Equals(Host, Environment.MachineName, StringComparison.Ordinal)
        && (PidNamespace is null || Current.PidNamespace is null || PidNamespace == Current.PidNamespace);

    /// <summary>Where the process runs, for messages: <c>HOST</c>, or the host and that it is another PID namespace's.</summary>
    public string Where => IsCheckableHere || !string.Equals(Host, Environment.MachineName, StringComparison.Ordinal)
        ? Host
        : $"{Host} (in another PID namespace: a container)";

    /// <summary>
    /// True while the recorded process still runs. A record from another host or PID namespace cannot be checked and
    /// counts as alive; a record without a start time (written by an older release) is judged by its pid alone.
    /// </summary>
    public bool IsAlive()
    {
        if (!IsCheckableHere)
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
            return new ProcessOwner(process.Id, Environment.MachineName, process.StartTime.ToUniversalTime(), ReadPidNamespace());
        }
    }

    // "pid:[4026531836]" -> "4026531836"; null without /proc (not Linux) or when it cannot be read.
    private static string? ReadPidNamespace()
    {
        try
        {
            var link = new FileInfo("/proc/self/ns/pid").LinkTarget;
            return link is null ? null : link[(link.IndexOf('[') + 1)..].TrimEnd(']');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    // Start times read from /proc are rounded to clock ticks; two seconds separates a reused pid from its predecessor.
    private static bool SameStart(DateTimeOffset? a, DateTimeOffset? b) =>
        a is { } x && b is { } y && Math.Abs((x - y).TotalSeconds) < 2;
}
