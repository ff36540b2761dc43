namespace Deploy.Action.GitHub;

/// <summary>A deployment to create: the commit, the environment and the payload GitHub keeps with it.</summary>
internal sealed record DeploymentDraft(string Sha, string Environment, string Description, IReadOnlyDictionary<string, string> Payload);

/// <summary>
/// One deployment status: <c>in_progress</c>, <c>success</c>, <c>failure</c>, <c>error</c> or <c>inactive</c>,
/// with the environment's URL and the run's log URL when known.
/// </summary>
internal sealed record StatusDraft(string State, string Description, string? EnvironmentUrl = null, string? LogUrl = null);

/// <summary>An issue or pull request comment: its ID and body.</summary>
internal sealed record CommentInfo(long Id, string Body);

/// <summary>
/// The few GitHub calls the Action makes, for one repository. Implementations retry transient failures themselves
/// and throw <see cref="GitHubUnavailableException"/> when GitHub is unreachable or refuses.
/// </summary>
internal interface IGitHubApi
{
    /// <summary>Creates a deployment and returns its ID; called twice, creates two.</summary>
    Task<long> CreateDeploymentAsync(DeploymentDraft draft, CancellationToken ct);

    /// <summary>Adds a status to a deployment; called twice, adds two (GitHub keeps the history).</summary>
    Task AddStatusAsync(long deploymentId, StatusDraft status, CancellationToken ct);

    /// <summary>The most recent deployments of <paramref name="environment"/> whose latest status is success. Reads only.</summary>
    Task<IReadOnlyList<long>> ActiveDeploymentsAsync(string environment, CancellationToken ct);

    /// <summary>Every comment of pull request <paramref name="number"/>, oldest first. Reads only.</summary>
    Task<IReadOnlyList<CommentInfo>> CommentsAsync(int number, CancellationToken ct);

    /// <summary>Creates a comment when <paramref name="existing"/> is null, else replaces that comment's body; idempotent for updates.</summary>
    Task WriteCommentAsync(int number, long? existing, string body, CancellationToken ct);
}

/// <summary>GitHub could not be reached, or refused the call (e.g. 403 for a fork's read-only token).</summary>
internal sealed class GitHubUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
