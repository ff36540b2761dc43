using System.Collections.ObjectModel;
using Octokit;

namespace Deploy.Action.GitHub;

/// <summary>
/// <see cref="IGitHubApi"/> through Octokit for one repository, every call wrapped in the <see cref="RetryPolicy"/>.
/// </summary>
internal sealed class OctokitGitHubApi(IGitHubClient client, string owner, string repo, RetryPolicy retry, Action<string> log) : IGitHubApi
{
    /// <summary>How many recent deployments are checked when earlier ones are made inactive.</summary>
    private const int RecentDeployments = 30;

    /// <summary>Comments per page, and how many pages are read at most when looking for the plan comment.</summary>
    private const int CommentPageSize = 100, MaxCommentPages = 20;

    /// <summary>
    /// A client for <paramref name="apiUrl"/> (<c>GITHUB_API_URL</c>). Octokit appends <c>/api/v3/</c> to every host
    /// but github.com's, so the URL is reduced to its server root first: a GHES URL that already ends in /api/v3
    /// must not come out as /api/v3/api/v3.
    /// </summary>
    public static GitHubClient CreateClient(Uri apiUrl, string token)
    {
        var client = new GitHubClient(new ProductHeaderValue("deploy-action"), ServerRoot(apiUrl))
        {
            Credentials = new Credentials(token),
        };
        client.SetRequestTimeout(TimeSpan.FromSeconds(30));
        return client;
    }

    /// <summary>The address handed to Octokit: api.github.com as is, else the URL with a trailing /api/v3 removed.</summary>
    public static Uri ServerRoot(Uri apiUrl)
    {
        var path = apiUrl.AbsolutePath.TrimEnd('/');
        if (path.EndsWith("/api/v3", StringComparison.OrdinalIgnoreCase))
        {
            path = path[..^"/api/v3".Length];
        }

        return new UriBuilder(apiUrl) { Path = path + "/" }.Uri;
    }

    public Task<long> CreateDeploymentAsync(DeploymentDraft draft, CancellationToken ct) =>
        retry.RunAsync("create deployment", async () =>
        {
            var payload = draft.Payload.ToDictionary(kv => kv.Key, kv => kv.Value);
            var created = await client.Repository.Deployment.Create(owner, repo, new NewDeployment(draft.Sha)
            {
                Environment = draft.Environment,
                Description = draft.Description,
                AutoMerge = false,
                RequiredContexts = new Collection<string>(),
                Payload = payload,
                Task = "deploy",
            });
            return (long)created.Id;
        }, log, ct);

    public Task AddStatusAsync(long deploymentId, StatusDraft status, CancellationToken ct) =>
        retry.RunAsync($"deployment status {status.State}", async () =>
        {
            await client.Repository.Deployment.Status.Create(owner, repo, deploymentId, new NewDeploymentStatus(State(status.State))
            {
                Description = Shorten(status.Description),
                EnvironmentUrl = status.EnvironmentUrl,
                LogUrl = status.LogUrl,
                // Earlier deployments are made inactive explicitly: GitHub's automatic inactivation skips production environments.
                AutoInactive = false,
            });
            return true;
        }, log, ct);

    public Task<IReadOnlyList<long>> ActiveDeploymentsAsync(string environment, CancellationToken ct) =>
        retry.RunAsync("list deployments", async () =>
        {
            // Octokit's GetAll has no environment filter; the REST parameter does the filtering on GitHub's side.
            var path = new Uri($"repos/{Uri.EscapeDataString(owner)}/{Uri.EscapeDataString(repo)}/deployments", UriKind.Relative);
            var recent = await new ApiConnection(client.Connection).Get<List<Deployment>>(path, new Dictionary<string, string>
            {
                ["environment"] = environment,
                ["per_page"] = RecentDeployments.ToString(System.Globalization.CultureInfo.InvariantCulture),
            });
            var active = new List<long>();
            foreach (var deployment in recent)
            {
                var latest = await client.Repository.Deployment.Status.GetAll(owner, repo, deployment.Id,
                    new ApiOptions { PageSize = 1, PageCount = 1, StartPage = 1 });
                if (latest.Count > 0 && latest[0].State.Value == DeploymentState.Success)
                {
                    active.Add(deployment.Id);
                }
            }

            return (IReadOnlyList<long>)active;
        }, log, ct);

    public Task<IReadOnlyList<CommentInfo>> CommentsAsync(int number, CancellationToken ct) =>
        retry.RunAsync("list pull request comments", async () =>
        {
            // Pages are asked for by number rather than by following Link headers, so a response can never send the
            // token to another host; a page shorter than the page size is the last.
            var all = new List<CommentInfo>();
            for (var page = 1; page <= MaxCommentPages; page++)
            {
                var comments = await client.Issue.Comment.GetAllForIssue(owner, repo, number,
                    new ApiOptions { PageSize = CommentPageSize, PageCount = 1, StartPage = page });
                all.AddRange(comments.Select(c => new CommentInfo(c.Id, c.Body ?? "")));
                if (comments.Count < CommentPageSize)
                {
                    break;
                }
            }

            return (IReadOnlyList<CommentInfo>)all;
        }, log, ct);

    public Task WriteCommentAsync(int number, long? existing, string body, CancellationToken ct) =>
        retry.RunAsync(existing is null ? "create comment" : "update comment", async () =>
        {
            if (existing is { } id)
            {
                await client.Issue.Comment.Update(owner, repo, id, body);
            }
            else
            {
                await client.Issue.Comment.Create(owner, repo, number, body);
            }

            return true;
        }, log, ct);

    private static DeploymentState State(string state) => state switch
    {
        "in_progress" => DeploymentState.InProgress,
        "success" => DeploymentState.Success,
        "failure" => DeploymentState.Failure,
        "error" => DeploymentState.Error,
        "inactive" => DeploymentState.Inactive,
        "queued" => DeploymentState.Queued,
        _ => DeploymentState.Pending,
    };

    // GitHub limits a status description to 140 characters.
    private static string Shorten(string text) => text.Length <= 140 ? text : text[..137] + "...";
}
