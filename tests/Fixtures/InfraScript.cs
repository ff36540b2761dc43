using System.Diagnostics;
using System.Text;
using Deploy.Tests.Support;

namespace Deploy.Tests.Fixtures;

/// <summary>Runs a script of tests/infra (docker.sh, remote.sh) for a fixture that starts or stops its engines itself.</summary>
public static class InfraScript
{
    /// <summary>
    /// Runs <paramref name="script"/> with <paramref name="args"/> (argv, through bash) and returns its exit code and
    /// both outputs; past <paramref name="limit"/> it is sent TERM (its exit trap stops what it started), then killed.
    /// </summary>
    public static (int Status, string Stdout, string Stderr) Run(TimeSpan limit, string script, params string[] args)
    {
        var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(script);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException("bash did not start");
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (stdout) { stdout.AppendLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (stderr) { stderr.AppendLine(e.Data); } } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(limit))
        {
            // TERM first: the script's exit trap stops what it started; SIGKILL only if it does not exit.
            _ = Native.Kill(process.Id, 15);
            if (!process.WaitForExit(TimeSpan.FromMinutes(1)))
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit();
            }

            return (-1, stdout.ToString(), $"{stderr}\n(stopped after {limit})");
        }

        process.WaitForExit(); // drains the redirected streams
        lock (stdout)
        {
            lock (stderr)
            {
                return (process.ExitCode, stdout.ToString(), stderr.ToString());
            }
        }
    }
}
