using System.Runtime.InteropServices;

namespace Deploy.Engine.Plugins.Instance.Process;

/// <summary>The few libc calls the process plugin needs; .NET's Process class cannot start a detached session with its output in a file.</summary>
internal static class Native
{
    /// <summary>Terminate politely; apps shut down gracefully on it.</summary>
    public const int SigTerm = 15;

    /// <summary>Terminate now.</summary>
    public const int SigKill = 9;

    /// <summary>waitpid: return at once when the child has not exited.</summary>
    public const int WNoHang = 1;

    /// <summary>errno: no such process (or group).</summary>
    public const int ESrch = 3;

    // Signals whose disposition the child must not inherit: .NET ignores SIGPIPE, and an ignored signal survives exec.
    public static readonly int[] SignalsToReset = [1, 2, 3, 13, 15];

    /// <summary>posix_spawn attribute flags, which differ between glibc and Darwin.</summary>
    public static short SpawnFlags => OperatingSystem.IsMacOS()
        ? (short)(0x0004 | 0x0008 | 0x0400)  // SETSIGDEF | SETSIGMASK | SETSID
        : (short)(0x04 | 0x08 | 0x80);       // SETSIGDEF | SETSIGMASK | SETSID (glibc 2.26+)

    /// <summary>open() flags for appending to the log: O_WRONLY | O_CREAT | O_APPEND.</summary>
    public static int AppendFlags => OperatingSystem.IsMacOS() ? 0x0001 | 0x0200 | 0x0008 : 0x0001 | 0x0040 | 0x0400;

    // Opaque libc types are at most a few hundred bytes (glibc: attr 336, file actions 80, sigset 128; Darwin: pointers).
    public const int OpaqueSize = 1024;

    [DllImport("libc", SetLastError = true)]
    public static extern int kill(int pid, int signal);

    [DllImport("libc", SetLastError = true)]
    public static extern int waitpid(int pid, out int status, int options);

    [DllImport("libc")]
    public static extern int posix_spawn(out int pid, string path, IntPtr fileActions, IntPtr attributes, IntPtr argv, IntPtr envp);

    [DllImport("libc")]
    public static extern int posix_spawn_file_actions_init(IntPtr fileActions);

    [DllImport("libc")]
    public static extern int posix_spawn_file_actions_destroy(IntPtr fileActions);

    [DllImport("libc")]
    public static extern int posix_spawn_file_actions_addopen(IntPtr fileActions, int fd, string path, int flags, int mode);

    [DllImport("libc")]
    public static extern int posix_spawn_file_actions_adddup2(IntPtr fileActions, int fd, int newFd);

    [DllImport("libc")]
    public static extern int posix_spawn_file_actions_addchdir_np(IntPtr fileActions, string path);

    [DllImport("libc")]
    public static extern int posix_spawnattr_init(IntPtr attributes);

    [DllImport("libc")]
    public static extern int posix_spawnattr_destroy(IntPtr attributes);

    [DllImport("libc")]
    public static extern int posix_spawnattr_setflags(IntPtr attributes, short flags);

    [DllImport("libc")]
    public static extern int posix_spawnattr_setsigdefault(IntPtr attributes, IntPtr signals);

    [DllImport("libc")]
    public static extern int posix_spawnattr_setsigmask(IntPtr attributes, IntPtr signals);

    [DllImport("libc")]
    public static extern int sigemptyset(IntPtr set);

    [DllImport("libc")]
    public static extern int sigaddset(IntPtr set, int signal);
}
