using Deploy.Action.Runner;
using Deploy.Engine.Diagnostics;

namespace Deploy.Action.GitHub;

/// <summary>
/// Records the step on GitHub: the deployment with its statuses, earlier deployments made inactive, the plan comment.
/// GitHub failing only warns (once; later calls are skipped) unless the deployment is required, which fails the step.
/// </summary>
internal sealed class GitHubRecorder(IGitHubApi? api, string? whyNoApi, DeploymentMode mode, WorkflowCommands log)
{
    private string? _unavailable = api is null ? whyNoApi : null;

    /// <summary>Creates the deployment and marks it in_progress; null when it is off or GitHub failed (warned).</summary>
    public async Task<long?> StartAsync(DeploymentDraft draft, string? logUrl, CancellationToken ct)
    {
        if (mode == DeploymentMode.Off)
        {
            return null;
        }

        return await CallAsync("record the deployment", async () =>
        {
            var id = await api!.CreateDeploymentAsync(draft, ct);
            await api.AddStatusAsync(id, new StatusDraft("in_progress", draft.Description, LogUrl: logUrl), ct);
            log.Line($"GitHub deployment {id} for environment {draft.Environment}: in_progress");
            return (long?)id;
        }, required: true);
    }

    /// <summary>Sets the final status; on success, earlier successful deployments of the environment become inactive.</summary>
    public async Task FinishAsync(long? id, string environment, StatusDraft status, CancellationToken ct)
    {
        if (id is null)
        {
            return;
        }

        await CallAsync("finish the deployment", async () =>
        {
            await api!.AddStatusAsync(id.Value, status, ct);
            log.Line($"GitHub deployment {id}: {status.State}");
            if (status.State == "success")
            {
                foreach (var earlier in (await api.ActiveDeploymentsAsync(environment, ct)).Where(d => d != id.Value))
                {
                    await api.AddStatusAsync(earlier, new StatusDraft("inactive", $"superseded by deployment {id}"), ct);
                    log.Line($"GitHub deployment {earlier}: inactive (superseded)");
                }
            }

            return true;
        }, required: true);
    }

    /// <summary>Creates or updates this app's plan comment, found again by its hidden marker; a failure only warns.</summary>
    public async Task UpsertCommentAsync(int pullRequest, string app, string body, CancellationToken ct)
    {
        await CallAsync("post the plan comment", async () =>
        {
            var marker = PlanComment.Marker(app);
            var existing = (await api!.CommentsAsync(pullRequest, ct)).FirstOrDefault(c => c.Body.Contains(marker, StringComparison.Ordinal));
            await api.WriteCommentAsync(pullRequest, existing?.Id, body, ct);
            log.Line(existing is null ? $"plan comment posted on pull request #{pullRequest}" : $"plan comment {existing.Id} updated on pull request #{pullRequest}");
            return true;
        }, required: false);
    }

    private async Task<T?> CallAsync<T>(string what, Func<Task<T>> call, bool required)
    {
        var strict = required && mode == DeploymentMode.Required;
        if (_unavailable is not null)
        {
            return strict ? throw Fail(what, _unavailable) : default;
        }

        try
        {
            return await call();
        }
        catch (GitHubUnavailableException e)
        {
            _unavailable = e.Message;
            if (strict)
            {
                throw Fail(what, e.Message);
            }

            log.Warning($"could not {what} on GitHub; the deploy goes on. {e.Message}", title: "GitHub");
            return default;
        }
    }

    private static DeployException Fail(string what, string why) =>
        new(Errors.OperationFailed, $"could not {what} on GitHub and the input deployment is required: {why}");
}
