using System.Diagnostics;
using System.Text.Json;
using Deploy.Tests.Support;

namespace Deploy.Tests.Action;

/// <summary>
/// The pinned npm tools action/test-tools.sh installs under .tools/node_modules: validators, Prism, GitHub's OpenAPI
/// description and real webhook payloads. A missing tool fails the test that needs it, naming the install script.
/// </summary>
public static class ActionTools
{
    /// <summary>.tools/node_modules under the repository root.</summary>
    public static string Modules { get; } = Path.Combine(Repo.Root, ".tools", "node_modules");

    /// <summary>GitHub's api.github.com description, references kept (what Prism loads).</summary>
    public static string OpenApi => Required(Path.Combine(Modules, "@octokit", "openapi", "generated", "api.github.com.json"));

    /// <summary>The same description with every reference inlined (what the recording server checks bodies with).</summary>
    public static string OpenApiDereferenced => Required(Path.Combine(Modules, "@octokit", "openapi", "generated", "api.github.com.deref.json"));

    /// <summary>An executable in .tools/node_modules/.bin.</summary>
    public static string Bin(string name) => Required(Path.Combine(Modules, ".bin", name));

    /// <summary>Writes a real <c>pull_request</c> (opened) payload from webhooks-examples to a file; returns its path and PR number.</summary>
    public static (string Path, int Number) PullRequestEvent(string directory)
    {
        using var index = JsonDocument.Parse(File.ReadAllText(Required(Path.Combine(Modules, "@octokit", "webhooks-examples", "api.github.com", "index.json"))));
        var webhook = index.RootElement.EnumerateArray().First(e => e.GetProperty("name").GetString() == "pull_request");
        var example = webhook.GetProperty("examples").EnumerateArray().First(e => e.GetProperty("action").GetString() == "opened");
        var file = Path.Combine(directory, "event.json");
        File.WriteAllText(file, example.GetRawText());
        return (file, example.GetProperty("pull_request").GetProperty("number").GetInt32());
    }

    /// <summary>Runs a tool to completion (bounded) and returns its exit code and combined output.</summary>
    public static async Task<(int Exit, string Output)> RunAsync(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Repo.Root };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }

    private static string Required(string path) =>
        File.Exists(path) ? path : throw new FileNotFoundException($"{path} is missing: run action/test-tools.sh (test.sh does) to install the Action's npm test tools");
}
