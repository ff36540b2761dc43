using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Deploy.Bench;

/// <summary>Child processes the benches start: the hello app, signals, and clean-up by marker variable.</summary>
internal static class BenchProcesses
{
    /// <summary>Set in the environment of the CLI and hello processes a bench starts; its value is the bench's temp folder.</summary>
    public const string Marker = Deploy.Tests.Support.ProcessScan.Marker;

    /// <summary>Starts <c>dotnet hello.dll</c> on 127.0.0.1:<paramref name="port"/>; its output is read and dropped.</summary>
    public static Process StartHello(string dll, int port, string version, string root)
    {
        var info = new ProcessStartInfo("dotnet", [dll])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.Environment["PORT"] = port.ToString();
        info.Environment["APP_VERSION"] = version;
        info.Environment["APP_COLOUR"] = "none";
        info.Environment[Marker] = root;
        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>SIGTERM (graceful shutdown), as systemd or a naive redeploy script would send.</summary>
    public static void Terminate(int pid) => _ = Kill(pid, 15);

    /// <summary>SIGKILLs every live process whose environment carries <see cref="Marker"/>=<paramref name="root"/>; returns how many.</summary>
    public static int KillAll(string root)
    {
        var killed = 0;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid) || pid == Environment.ProcessId)
            {
                continue;
            }

            try
            {
                if (File.ReadAllText(Path.Combine(dir, "environ")).Split('\0').Contains($"{Marker}={root}"))
                {
                    killed += Kill(pid, 9) == 0 ? 1 : 0;
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Exited while we looked, or another user's process.
            }
        }

        return killed;
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    /// <summary>
    /// The docker CLI, as a user would run it, against the engine at <paramref name="host"/>; argv, never a shell.
    /// Throws with its stderr when it fails.
    /// </summary>
    public static Task DockerAsync(string host, params string[] args) => RunAsync(["docker", "-H", host, .. args]);

    /// <summary>Runs <paramref name="argv"/> (argv, never a shell) to its end; throws with its stderr when it fails.</summary>
    public static async Task RunAsync(IReadOnlyList<string> argv)
    {
        var info = new ProcessStartInfo(argv[0], argv.Skip(1)) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{string.Join(' ', argv)} exited {process.ExitCode}: {await stderr}");
        }
    }
}
