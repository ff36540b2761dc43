using Deploy.Action;
using Deploy.Action.GitHub;

// The container's entrypoint: every input and context value comes from the environment the runner sets.
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};

var stdout = Console.Out;
var runner = new ActionRunner(Environment.GetEnvironmentVariable, stdout, (ctx, token) =>
    new OctokitGitHubApi(OctokitGitHubApi.CreateClient(ctx.ApiUrl, token), ctx.Owner!, ctx.Repo!, new RetryPolicy(), stdout.WriteLine));
return await runner.RunAsync(cancel.Token);
