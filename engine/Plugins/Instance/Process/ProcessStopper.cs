using System.Runtime.InteropServices;

namespace Deploy.Engine.Plugins.Instance.Process;

/// <summary>Stops a process group led by a process this plugin started: SIGTERM, a grace period, then SIGKILL.</summary>
internal static class ProcessStopper
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(50);

    // After SIGKILL the kernel needs a moment; longer means the process is stuck in the kernel and waiting will not help.
    private static readonly TimeSpan AfterKill = TimeSpan.FromSeconds(5);

    /// <summary>Stops <paramref name="pid"/> (which started at <paramref name="startTime"/>) and its group; stopping one that is gone succeeds.</summary>
    public static async Task StopAsync(int pid, long startTime, TimeSpan timeout, CancellationToken cancellationToken)
    {
        Signal(pid, Native.SigTerm);
        if (!await ExitedAsync(pid, startTime, timeout, cancellationToken))
        {
            Signal(pid, Native.SigKill);
            await ExitedAsync(pid, startTime, AfterKill, cancellationToken);
        }

        // Children the app started share its group and may ignore SIGTERM. The kernel does not hand out a group id
        // while any member lives, so this reaches leftovers of this instance (or, if none are left, nothing at all
        // unless the pid was reused as a new group leader within these milliseconds).
        Native.kill(-pid, Native.SigKill);
    }

    // The process was started as a session (and so group) leader: signalling -pid reaches everything it started.
    private static void Signal(int pid, int signal)
    {
        if (Native.kill(-pid, signal) != 0 && Marshal.GetLastPInvokeError() == Native.ESrch)
        {
            Native.kill(pid, signal);
        }
    }

    private static async Task<bool> ExitedAsync(int pid, long startTime, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            // When this process is the parent (tests, or the CLI that just started it), collect the exit so it is not a zombie.
            ProcessTable.Reap(pid);
            if (!ProcessTable.IsAlive(pid, startTime))
            {
                return true;
            }

            if (DateTime.UtcNow >= deadline)
            {
                return false;
            }

            await Task.Delay(Poll, cancellationToken);
        }
    }
}
