using System.Diagnostics;

namespace Deploy.Bench;

/// <summary>
/// Runs the real CLI (<c>dotnet deploy.dll</c>, copied beside the bench by the project reference) in a working folder,
/// with a marker variable that every instance process it starts inherits, so <see cref="BenchProcesses"/> can find them.
/// </summary>
internal sealed class Cli(string workingDirectory)
{
    /// <summary>The CLI assembly beside the bench.</summary>
    public static string Dll { get; } = Path.Combine(AppContext.BaseDirectory, "deploy.dll");

    /// <summary>The folder this CLI runs in; also the marker value of its instance processes.</summary>
    public string WorkingDirectory => workingDirectory;

    /// <summary>Runs to completion (bounded) and returns the exit code and both outputs.</summary>
    public async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Dll);
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        info.Environment[BenchProcesses.Marker] = workingDirectory;
        info.Environment.Remove("DEPLOY_STATE");
        info.Environment.Remove("DEPLOY_FILE_DIR");
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"deploy {string.Join(' ', args)} ran over 2 minutes");
        }

        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Runs and throws with both outputs unless the exit code is 0.</summary>
    public async Task<string> RunOkAsync(params string[] args)
    {
        var (code, stdout, stderr) = await RunAsync(args);
        if (code != 0)
        {
            throw new InvalidOperationException($"deploy {string.Join(' ', args)} exited {code}\n{stdout}\n{stderr}");
        }

        return stdout;
    }
}
