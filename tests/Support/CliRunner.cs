using System.Diagnostics;
using System.Text;

namespace Deploy.Tests.Support;

/// <summary>Runs the real <c>deploy</c> CLI (the built Deploy.Cli assembly) as a child process.</summary>
public sealed class CliRunner(string workingDirectory, IReadOnlyDictionary<string, string>? env = null)
{
    /// <summary>The CLI assembly copied beside the tests by the project reference.</summary>
    public static string CliDll { get; } = Path.Combine(AppContext.BaseDirectory, "deploy.dll");

    /// <summary>Runs to completion and returns the exit code and both outputs.</summary>
    public async Task<CliResult> RunAsync(params string[] args)
    {
        using var process = Process.Start(StartInfo(args))!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return new CliResult(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Starts a long-running command (e.g. <c>serve</c>); its output is collected as it comes.</summary>
    public RunningCli Start(params string[] args) => new(Process.Start(StartInfo(args))!);

    private ProcessStartInfo StartInfo(string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(CliDll);
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        info.Environment[ProcessScan.Marker] = workingDirectory;
        info.Environment.Remove("DEPLOY_STATE");
        info.Environment.Remove("DEPLOY_FILE_DIR");
        foreach (var (k, v) in env ?? new Dictionary<string, string>())
        {
            info.Environment[k] = v;
        }

        return info;
    }
}

/// <summary>What a finished CLI run printed and returned.</summary>
public sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
}

/// <summary>A CLI process still running; stopped with SIGTERM on dispose.</summary>
public sealed class RunningCli : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _out = new();
    private readonly Lock _gate = new();

    public RunningCli(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_gate) _out.AppendLine(e.Data); };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_gate) _out.AppendLine(e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>Everything printed so far (stdout and stderr interleaved).</summary>
    public string Output { get { lock (_gate) return _out.ToString(); } }

    public int Pid => _process.Id;

    /// <summary>SIGKILL, as a crash or an OOM kill would.</summary>
    public void Kill()
    {
        Native.Kill(_process.Id, 9);
        _process.WaitForExit();
    }

    /// <summary>Waits for the command to end by itself within <paramref name="timeout"/> (throws when it does not); returns the exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(deadline.Token);
        _process.WaitForExit();
        return _process.ExitCode;
    }

    /// <summary>Sends SIGTERM and waits for a clean exit; returns the exit code.</summary>
    public async Task<int> StopAsync()
    {
        if (!_process.HasExited)
        {
            Native.Kill(_process.Id, 15);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            await _process.WaitForExitAsync(timeout.Token);
        }

        _process.WaitForExit();
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }
}

internal static partial class Native
{
    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "kill")]
    internal static partial int Kill(int pid, int signal);
}
