using System.Runtime.InteropServices;
using Deploy.Engine.Diagnostics;

namespace Deploy.Engine.Plugins.Instance.Process;

/// <summary>
/// Starts a program with posix_spawn as the leader of a new session: it has no controlling terminal (so the
/// terminal's Ctrl+C never reaches it), outlives the CLI, and its stdout and stderr are appended to a log file.
/// argv goes straight to exec; no shell ever sees it.
/// </summary>
internal static class ProcessSpawner
{
    /// <summary>Starts <paramref name="argv"/> and returns its pid; throws a <see cref="DeployException"/> when it cannot be started.</summary>
    public static int Start(IReadOnlyList<string> argv, IReadOnlyDictionary<string, string> env, string? workingDirectory, string logFile)
    {
        var program = Resolve(argv[0], env, workingDirectory);
        var allocations = new List<IntPtr>();
        var fileActions = Alloc(Native.OpaqueSize, allocations);
        var attributes = Alloc(Native.OpaqueSize, allocations);
        var signals = Alloc(Native.OpaqueSize, allocations);
        var empty = Alloc(Native.OpaqueSize, allocations);
        try
        {
            Check(Native.posix_spawn_file_actions_init(fileActions));
            Check(Native.posix_spawnattr_init(attributes));

            // The working folder first: a relative program path or log path is then resolved as the user expects.
            if (workingDirectory is not null)
            {
                Check(Native.posix_spawn_file_actions_addchdir_np(fileActions, workingDirectory));
            }

            Check(Native.posix_spawn_file_actions_addopen(fileActions, 0, "/dev/null", 0, 0));
            // The log may hold whatever the app prints, so only its owner may read it (0600).
            Check(Native.posix_spawn_file_actions_addopen(fileActions, 1, Path.GetFullPath(logFile), Native.AppendFlags, 0b110_000_000));
            Check(Native.posix_spawn_file_actions_adddup2(fileActions, 1, 2));

            Native.sigemptyset(signals);
            foreach (var signal in Native.SignalsToReset)
            {
                Native.sigaddset(signals, signal);
            }

            Native.sigemptyset(empty);
            Check(Native.posix_spawnattr_setsigdefault(attributes, signals));
            Check(Native.posix_spawnattr_setsigmask(attributes, empty));
            Check(Native.posix_spawnattr_setflags(attributes, Native.SpawnFlags));

            var argvBlock = StringArray(argv, allocations);
            var envBlock = StringArray(Environment(env), allocations);
            var error = Native.posix_spawn(out var pid, program, fileActions, attributes, argvBlock, envBlock);
            if (error != 0)
            {
                throw new DeployException(Errors.PluginFailed,
                    $"could not start \"{argv[0]}\": {new System.ComponentModel.Win32Exception(error).Message}; check the Command and WorkingDirectory");
            }

            return pid;
        }
        finally
        {
            Native.posix_spawn_file_actions_destroy(fileActions);
            Native.posix_spawnattr_destroy(attributes);
            allocations.ForEach(Marshal.FreeHGlobal);
        }
    }

    // The CLI's own environment, overlaid with the instance's variables.
    private static List<string> Environment(IReadOnlyDictionary<string, string> env)
    {
        var merged = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (System.Collections.DictionaryEntry e in System.Environment.GetEnvironmentVariables())
        {
            merged[(string)e.Key] = (string?)e.Value ?? "";
        }

        foreach (var (key, value) in env)
        {
            merged[key] = value;
        }

        return merged.Select(e => $"{e.Key}={e.Value}").ToList();
    }

    // posix_spawn does not search PATH; posix_spawnp would search the CLI's PATH rather than the instance's.
    private static string Resolve(string program, IReadOnlyDictionary<string, string> env, string? workingDirectory)
    {
        if (program.Contains('/'))
        {
            return program;
        }

        var path = env.GetValueOrDefault("PATH") ?? System.Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin";
        foreach (var dir in path.Split(':'))
        {
            var folder = dir.Length == 0 ? "." : dir;
            var candidate = Path.Combine(Path.IsPathRooted(folder) ? folder : Path.Combine(workingDirectory ?? ".", folder), program);
            if (!OperatingSystem.IsWindows() && File.Exists(candidate) && (File.GetUnixFileMode(candidate) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0)
            {
                return Path.GetFullPath(candidate);
            }
        }

        throw new DeployException(Errors.PluginFailed, $"could not start \"{program}\": not found on PATH; install it or give its full path in Command[0]");
    }

    private static IntPtr StringArray(IReadOnlyList<string> items, List<IntPtr> allocations)
    {
        var block = Alloc((items.Count + 1) * IntPtr.Size, allocations);
        for (var i = 0; i < items.Count; i++)
        {
            var text = Marshal.StringToCoTaskMemUTF8(items[i]);
            allocations.Add(text);
            Marshal.WriteIntPtr(block, i * IntPtr.Size, text);
        }

        Marshal.WriteIntPtr(block, items.Count * IntPtr.Size, IntPtr.Zero);
        return block;
    }

    // malloc'd blocks (AllocHGlobal and StringToCoTaskMemUTF8 both use malloc on Unix), all freed with free().
    private static IntPtr Alloc(int size, List<IntPtr> allocations)
    {
        var block = Marshal.AllocHGlobal(size);
        allocations.Add(block);
        ZeroFill(block, size);
        return block;
    }

    private static void ZeroFill(IntPtr block, int size)
    {
        for (var i = 0; i < size; i += 8)
        {
            Marshal.WriteInt64(block, i, 0);
        }
    }

    private static void Check(int error)
    {
        if (error != 0)
        {
            throw new DeployException(Errors.PluginFailed,
                $"could not prepare to start the process: {new System.ComponentModel.Win32Exception(error).Message}; check WorkingDirectory and the state folder");
        }
    }
}
