using System.Diagnostics;
using System.Text;
using Deploy.Tests.Support;

namespace Deploy.Tests.Tasks;

/// <summary>
/// Runs the real <c>dotnet</c> CLI with a clean environment: no build servers, no node reuse, a chosen package cache,
/// and, when <paramref name="testRoot"/> is given, <see cref="ProcessScan.Marker"/> so the instances a deploy starts can be found and stopped;
/// <paramref name="environment"/> adds variables of its own (e.g. <c>DOCKER_HOST</c>).
/// </summary>
public sealed class DotnetCli(string workingDirectory, string? nugetPackages = null, string? testRoot = null, IReadOnlyDictionary<string, string>? environment = null)
{
    /// <summary>Runs <c>dotnet args…</c> to completion; the output is stdout and stderr as they came.</summary>
    public async Task<DotnetResult> RunAsync(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        // The test host runs under `dotnet test`, whose MSBuild settings must not leak into the builds we start.
        foreach (var name in info.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)
                     || k.StartsWith("DEPLOY_", StringComparison.Ordinal) || k.StartsWith("VSTEST", StringComparison.Ordinal)).ToList())
        {
            info.Environment.Remove(name);
        }

        info.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        info.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        if (nugetPackages is not null)
        {
            info.Environment["NUGET_PACKAGES"] = nugetPackages;
        }

        if (testRoot is not null)
        {
            info.Environment[ProcessScan.Marker] = testRoot;
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }

        var output = new StringBuilder();
        var gate = new Lock();
        using var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        var clock = Stopwatch.StartNew();
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"dotnet {string.Join(' ', args)} did not finish in 5 minutes:\n{output}");
        }

        process.WaitForExit(); // flushes the asynchronous readers
        lock (gate)
        {
            return new DotnetResult(string.Join(' ', args), process.ExitCode, output.ToString(), clock.Elapsed);
        }

        void Append(string? line)
        {
            if (line is not null)
            {
                lock (gate)
                {
                    output.AppendLine(line);
                }
            }
        }
    }

    /// <summary><c>dotnet build</c> (or <c>publish</c>) with the flags that keep no server processes behind.</summary>
    public Task<DotnetResult> BuildAsync(string verb, params string[] args) =>
        RunAsync([verb, "-nodeReuse:false", "-p:UseSharedCompilation=false", "-tl:off", .. args]);
}

/// <summary>What one <c>dotnet</c> command printed and returned.</summary>
public sealed record DotnetResult(string Command, int ExitCode, string Output, TimeSpan Duration)
{
    public override string ToString() => $"dotnet {Command}: exit {ExitCode} in {Duration.TotalSeconds:0.0}s\n{Output}";
}
