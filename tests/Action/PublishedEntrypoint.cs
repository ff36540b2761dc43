using System.Diagnostics;
using System.Text.RegularExpressions;
using Deploy.Tests.Support;

namespace Deploy.Tests.Action;

/// <summary>
/// The entrypoint as the image holds it: published with exactly the flags of the Dockerfile's <c>dotnet publish</c>
/// line (read from the Dockerfile, so they cannot drift), its source and output folders mapped to this checkout and a
/// temp folder. Run with <c>dotnet &lt;dll&gt;</c> like the image's ENTRYPOINT.
/// </summary>
public sealed partial class PublishedEntrypoint
{
    private PublishedEntrypoint(string dll, IReadOnlyList<string> flags)
    {
        Dll = dll;
        Flags = flags;
    }

    /// <summary>The published deploy-action.dll.</summary>
    public string Dll { get; }

    /// <summary>The flags taken from the Dockerfile, after the project path and with -o mapped.</summary>
    public IReadOnlyList<string> Flags { get; }

    /// <summary>Publishes into <paramref name="output"/>; fails with dotnet's output when publish fails.</summary>
    public static async Task<PublishedEntrypoint> PublishAsync(string output)
    {
        var (project, flags, entry) = FromDockerfile(File.ReadAllText(Path.Combine(Repo.Root, "Dockerfile")), output);
        var (exit, log) = await ActionTools.RunAsync("dotnet", ["publish", project, .. flags]);
        if (exit != 0)
        {
            throw new InvalidOperationException("dotnet publish with the Dockerfile's flags failed:\n" + log);
        }

        var dll = Path.Combine(output, entry);
        return File.Exists(dll) ? new PublishedEntrypoint(dll, flags) : throw new FileNotFoundException("the Dockerfile's ENTRYPOINT names a file publish did not produce", dll);
    }

    /// <summary>
    /// The project, flags and entry file of the Dockerfile: <c>RUN dotnet publish /src/X.csproj FLAGS</c> with
    /// <c>/src/</c> mapped to the checkout and <c>-o DIR</c> to <paramref name="output"/>; the ENTRYPOINT's dll
    /// relative to the folder the runtime stage copies the output into.
    /// </summary>
    public static (string Project, List<string> Flags, string Entry) FromDockerfile(string dockerfile, string output)
    {
        var run = PublishLine().Match(dockerfile);
        if (!run.Success)
        {
            throw new InvalidOperationException("the Dockerfile has no RUN dotnet publish line");
        }

        var words = run.Groups["args"].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToList();
        var project = Path.Combine(Repo.Root, words[0]["/src/".Length..]);
        var flags = words.Skip(1).ToList();
        var o = flags.IndexOf("-o");
        var copiedFrom = flags[o + 1];
        flags[o + 1] = output;
        var copy = CopyLine().Match(dockerfile);
        var entry = EntryLine().Match(dockerfile).Groups["dll"].Value;
        var into = copy.Groups["to"].Value.TrimEnd('/') + "/";
        if (copy.Groups["from"].Value.TrimEnd('/') != copiedFrom.TrimEnd('/') || !entry.StartsWith(into, StringComparison.Ordinal))
        {
            throw new InvalidOperationException("the runtime stage does not copy the publish output to where ENTRYPOINT runs it");
        }

        return (project, flags, entry[into.Length..]);
    }

    /// <summary>Runs the entrypoint under <paramref name="env"/> alone (plus PATH, HOME and dotnet's), bounded.</summary>
    public async Task<EntrypointRun> RunAsync(IReadOnlyDictionary<string, string> env)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = env["GITHUB_WORKSPACE"] };
        start.ArgumentList.Add(Dll);
        start.Environment.Clear();
        foreach (var name in new[] { "PATH", "HOME", "DOTNET_ROOT", "TMPDIR" })
        {
            if (Environment.GetEnvironmentVariable(name) is { } value)
            {
                start.Environment[name] = value;
            }
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (k, v) in env)
        {
            start.Environment[k] = v;
        }

        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return new EntrypointRun(process.ExitCode, await stdout, await stderr, clock.Elapsed);
    }

    [GeneratedRegex(@"^RUN dotnet publish (?<args>.+)$", RegexOptions.Multiline)]
    private static partial Regex PublishLine();

    [GeneratedRegex(@"^COPY --from=\S+ (?<from>\S+) (?<to>\S+)\s*$", RegexOptions.Multiline)]
    private static partial Regex CopyLine();

    [GeneratedRegex(@"^ENTRYPOINT \[""dotnet"", ""(?<dll>[^""]+)""\]", RegexOptions.Multiline)]
    private static partial Regex EntryLine();
}

/// <summary>One run of the entrypoint: exit code, stdout, stderr and how long it took.</summary>
public sealed record EntrypointRun(int Exit, string Stdout, string Stderr, TimeSpan Duration)
{
    /// <summary>The workflow commands of one kind, e.g. "error", as (properties, message) pairs.</summary>
    public IReadOnlyList<(string Properties, string Message)> Commands(string kind) =>
        Stdout.Split('\n').Select(l => l.TrimEnd('\r'))
            .Where(l => l.StartsWith($"::{kind} ", StringComparison.Ordinal) || l.StartsWith($"::{kind}::", StringComparison.Ordinal))
            .Select(l =>
            {
                var end = l.IndexOf("::", 2, StringComparison.Ordinal);
                var head = l[2..end];
                return (head.Length > kind.Length ? head[(kind.Length + 1)..] : "", l[(end + 2)..]);
            }).ToList();

    public override string ToString() => $"exit {Exit} after {Duration.TotalSeconds:0.0}s\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
}
