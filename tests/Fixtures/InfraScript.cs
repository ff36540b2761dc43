using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using Deploy.Tests.Support;

namespace Deploy.Tests.Fixtures;

/// <summary>Runs a script of tests/infra (docker.sh, remote.sh) for a fixture that starts or stops its engines itself.</summary>
public static class InfraScript
{
    /// <summary>
    /// Runs <c>SCRIPT start ...</c> (<paramref name="args"/>) and sets the variables it exports in this process; the
    /// folder it names in <paramref name="directoryVariable"/> is stopped when this process exits. Throws with the
    /// script's output when it fails or exports none of <paramref name="required"/>.
    /// </summary>
    public static void StartAndExport(TimeSpan limit, string script, string[] args, string directoryVariable, params string[] required)
    {
        var (status, stdout, stderr) = Run(limit, script, args);
        var exports = Regex.Matches(stdout, @"^export (DEPLOY_TEST_[A-Z_]+)=(\S+)$", RegexOptions.Multiline)
            .ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);
        if (exports.TryGetValue(directoryVariable, out var directory))
        {
            AppDomain.CurrentDomain.ProcessExit += (_, _) => Run(TimeSpan.FromMinutes(2), script, "stop", directory);
        }

        if (status != 0 || !required.All(exports.ContainsKey))
        {
            throw new InvalidOperationException($"{Path.GetFileName(script)} start failed (exit {status}):\n{stderr}\n{stdout}");
        }

        foreach (var (name, value) in exports)
        {
            Environment.SetEnvironmentVariable(name, value);
        }
    }

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
