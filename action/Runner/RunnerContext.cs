using System.Text.Json;

namespace Deploy.Action.Runner;

/// <summary>
/// What the runner tells every step through <c>GITHUB_*</c> variables: the repository, commit, event (and the pull
/// request number from the event payload), the API and server URLs, the run, the workspace and the command files.
/// </summary>
internal sealed record RunnerContext(
    string? Owner,
    string? Repo,
    string? Sha,
    string? Ref,
    string? EventName,
    int? PullRequest,
    Uri ApiUrl,
    Uri ServerUrl,
    string? RunId,
    string Workspace,
    string? OutputFile,
    string? SummaryFile)
{
    /// <summary>The run's page, the deployment status's <c>log_url</c>.</summary>
    public string? RunUrl => Owner is null || RunId is null ? null : $"{ServerUrl.ToString().TrimEnd('/')}/{Owner}/{Repo}/actions/runs/{RunId}";

    /// <summary>True on pull_request and pull_request_target events that name a pull request.</summary>
    public bool IsPullRequest => EventName is "pull_request" or "pull_request_target" && PullRequest is not null;

    /// <summary>Reads the context; defaults are github.com's URLs and the current folder as workspace.</summary>
    public static RunnerContext Read(Func<string, string?> env)
    {
        var repository = env("GITHUB_REPOSITORY")?.Split('/', 2);
        var eventName = env("GITHUB_EVENT_NAME");
        return new RunnerContext(
            repository is { Length: 2 } ? repository[0] : null,
            repository is { Length: 2 } ? repository[1] : null,
            NullIfEmpty(env("GITHUB_SHA")),
            NullIfEmpty(env("GITHUB_REF")),
            eventName,
            PullRequestNumber(env("GITHUB_EVENT_PATH")),
            new Uri(NullIfEmpty(env("GITHUB_API_URL")) ?? "https://api.github.com"),
            new Uri(NullIfEmpty(env("GITHUB_SERVER_URL")) ?? "https://github.com"),
            NullIfEmpty(env("GITHUB_RUN_ID")),
            NullIfEmpty(env("GITHUB_WORKSPACE")) ?? Directory.GetCurrentDirectory(),
            NullIfEmpty(env("GITHUB_OUTPUT")),
            NullIfEmpty(env("GITHUB_STEP_SUMMARY")));
    }

    /// <summary><paramref name="path"/> resolved against the workspace when relative.</summary>
    public string InWorkspace(string path) => Path.GetFullPath(Path.Combine(Workspace, path));

    /// <summary>The path annotations use: relative to the workspace (the repository root) when inside it.</summary>
    public string ForAnnotation(string path)
    {
        var full = Path.GetFullPath(path, Workspace);
        var relative = Path.GetRelativePath(Workspace, full);
        return relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative) ? full : relative.Replace('\\', '/');
    }

    // The pull request number from the event payload: pull_request.number, else number.
    private static int? PullRequestNumber(string? eventPath)
    {
        if (string.IsNullOrEmpty(eventPath) || !File.Exists(eventPath))
        {
            return null;
        }

        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(eventPath));
            var root = doc.RootElement;
            if (root.TryGetProperty("pull_request", out var pr) && pr.TryGetProperty("number", out var n) && n.TryGetInt32(out var number))
            {
                return number;
            }

            return root.TryGetProperty("number", out var top) && top.TryGetInt32(out var topNumber) ? topNumber : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
