using System.ComponentModel;
using System.Diagnostics;

namespace Deploy.Engine.Commands;

/// <summary>
/// Runs a command from an argv list, never through a shell, so arguments need no quoting and cannot inject.
/// Used by proxy plugins (test and reload commands) and deploy hooks.
/// </summary>
public sealed class CommandRunner
{
    /// <summary>The timeout when the request sets none.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    /// <summary>How many characters of each of stdout and stderr are kept (the end of the output).</summary>
    public const int OutputLimit = 64 * 1024;

    // A daemon the command started (nginx, haproxy -D) may inherit the pipes and keep them open for its whole life;
    // once the command itself has exited we wait only this long for the rest of its output.
    private static readonly TimeSpan DrainGrace = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// Runs <paramref name="request"/> to completion. A missing executable or working directory is a
    /// <see cref="CommandOutcome.NotStarted"/> result, a timeout a <see cref="CommandOutcome.TimedOut"/> one (the process
    /// tree is killed); cancellation kills the tree and throws <see cref="OperationCanceledException"/>.
    /// Calling it twice runs the command twice.
    /// </summary>
    public async Task<CommandResult> RunAsync(CommandRequest request, CancellationToken cancellationToken)
    {
        if (request.Argv.Count == 0 || string.IsNullOrEmpty(request.Argv[0]))
        {
            throw new ArgumentException("a command needs at least the executable", nameof(request));
        }

        cancellationToken.ThrowIfCancellationRequested();
        var clock = Stopwatch.StartNew();
        if (request.WorkingDirectory is { } dir && !Directory.Exists(dir))
        {
            return new CommandResult(CommandOutcome.NotStarted, -1, "", $"the working directory {dir} does not exist", clock.Elapsed);
        }

        using var process = new Process { StartInfo = StartInfo(request) };
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            return new CommandResult(CommandOutcome.NotStarted, -1, "", $"{request.Argv[0]}: {e.Message}", clock.Elapsed);
        }

        // Nothing is ever written to stdin: closing it stops commands that would wait for input.
        process.StandardInput.Close();
        var stdout = new OutputTail(OutputLimit);
        var stderr = new OutputTail(OutputLimit);
        var pumps = Task.WhenAll(stdout.PumpAsync(process.StandardOutput), stderr.PumpAsync(process.StandardError));

        using var timeout = new CancellationTokenSource(request.Timeout ?? DefaultTimeout);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var outcome = CommandOutcome.Exited;
        try
        {
            await process.WaitForExitAsync(linked.Token);
        }
        catch (OperationCanceledException)
        {
            KillTree(process);
            await process.WaitForExitAsync(CancellationToken.None);
            cancellationToken.ThrowIfCancellationRequested();
            outcome = CommandOutcome.TimedOut;
        }

        await Task.WhenAny(pumps, Task.Delay(DrainGrace, CancellationToken.None));
        var code = outcome == CommandOutcome.Exited ? process.ExitCode : -1;
        return new CommandResult(outcome, code, stdout.ToString(), stderr.ToString(), clock.Elapsed);
    }

    private static ProcessStartInfo StartInfo(CommandRequest request)
    {
        var info = new ProcessStartInfo(Program(request))
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = request.WorkingDirectory ?? "",
        };
        foreach (var arg in request.Argv.Skip(1))
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in request.Environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }

        return info;
    }

    /// <summary>
    /// The program to start: a relative path with a <c>/</c> (<c>./smoke-test.sh</c>) is made absolute against the
    /// request's working directory, as a shell that changed into it would; .NET would resolve it against our own
    /// current folder instead. A bare name (<c>nginx</c>) is left to the PATH search.
    /// </summary>
    internal static string Program(CommandRequest request)
    {
        var program = request.Argv[0];
        return request.WorkingDirectory is { } dir && program.Contains('/') && !Path.IsPathRooted(program)
            ? Path.GetFullPath(program, Path.GetFullPath(dir))
            : program;
    }

    private static void KillTree(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It exited on its own between the timeout and the kill.
        }
    }
}
