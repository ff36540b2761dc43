using System.Diagnostics;

namespace Deploy.Engine.Plugins.Proxy;

/// <summary>
/// Sees a signal-based reload take effect: a master process (pid from its pid file) starts new worker processes and
/// retires the old ones. Reads <c>/proc</c>, so it is Linux-only; elsewhere it reports nothing to wait for.
/// </summary>
internal sealed class WorkerWatch
{
    private readonly string _pidFile;
    private readonly int? _master;
    private readonly HashSet<int> _before;

    private WorkerWatch(string pidFile, int? master, HashSet<int> before)
    {
        _pidFile = pidFile;
        _master = master;
        _before = before;
    }

    /// <summary>Records the master's current workers; call before the reload.</summary>
    public static WorkerWatch Before(string pidFile)
    {
        var master = ReadPid(pidFile);
        return new WorkerWatch(pidFile, master, master is { } m ? Children(m) : []);
    }

    /// <summary>
    /// Waits up to <paramref name="limit"/> until the master has a worker that was not there before and every old worker
    /// is gone or <paramref name="isRetiring"/> (given its pid). Null when that happened, else why not.
    /// </summary>
    public async Task<string?> WaitAsync(TimeSpan limit, Func<int, bool> isRetiring, CancellationToken cancellationToken)
    {
        if (_master is null || !OperatingSystem.IsLinux())
        {
            return null; // nothing to compare with: the proxy was not running with this pid file, or no /proc
        }

        var clock = Stopwatch.StartNew();
        while (true)
        {
            var master = ReadPid(_pidFile) ?? _master.Value;
            var now = Children(master);
            var fresh = master != _master || now.Any(pid => !_before.Contains(pid));
            if (fresh && now.Where(_before.Contains).All(isRetiring))
            {
                return null;
            }

            if (clock.Elapsed > limit)
            {
                return fresh
                    ? $"old worker processes of {master} were still serving after {limit.TotalSeconds:0.#}s"
                    : $"process {master} (from {_pidFile}) started no new workers within {limit.TotalSeconds:0.#}s";
            }

            await Task.Delay(10, cancellationToken);
        }
    }

    private static int? ReadPid(string pidFile)
    {
        try
        {
            return int.TryParse(System.IO.File.ReadAllText(pidFile).Trim(), out var pid) && Directory.Exists($"/proc/{pid}") ? pid : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static HashSet<int> Children(int parent)
    {
        var children = new HashSet<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }

            try
            {
                // /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may hold spaces and parentheses, so split after the last ')'.
                var stat = System.IO.File.ReadAllText(Path.Combine(dir, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (fields.Length > 1 && int.TryParse(fields[1], out var ppid) && ppid == parent && fields[0] != "Z")
                {
                    children.Add(pid);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The process exited while we looked.
            }
        }

        return children;
    }

    /// <summary>
    /// Whether <paramref name="pid"/> still holds a listening TCP socket, i.e. may accept connections with the old
    /// configuration; null when its file descriptors cannot be read (another user's process).
    /// </summary>
    public static bool? HoldsListeningSocket(int pid)
    {
        var listening = new HashSet<string>();
        foreach (var table in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            try
            {
                // Columns: sl local remote st ... inode; st 0A is LISTEN.
                foreach (var line in System.IO.File.ReadLines(table).Skip(1))
                {
                    var columns = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    if (columns.Length > 9 && columns[3] == "0A")
                    {
                        listening.Add($"socket:[{columns[9]}]");
                    }
                }
            }
            catch (IOException)
            {
                // No IPv6 table: nothing listens there.
            }
        }

        try
        {
            return Directory.EnumerateFileSystemEntries($"/proc/{pid}/fd")
                .Any(fd => LinkTarget(fd) is { } target && listening.Contains(target));
        }
        catch (DirectoryNotFoundException)
        {
            return false; // exited
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            return null;
        }
    }

    private static string? LinkTarget(string fd)
    {
        try
        {
            return new FileInfo(fd).LinkTarget;
        }
        catch (IOException)
        {
            return null; // closed while we looked
        }
    }

    /// <summary>The process's command line with arguments separated by spaces; empty when it is gone.</summary>
    public static string CommandLine(int pid)
    {
        try
        {
            return System.IO.File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "";
        }
    }
}
