using Deploy.Tests.Support;

namespace Deploy.Tests.Action;

/// <summary>
/// Deployments, statuses and the plan comment against a recording GitHub server that keeps state, checks each
/// request against GitHub's OpenAPI description, and sits at a GHES-style /api/v3 URL.
/// </summary>
[Collection(ActionCollection.Name)]
public sealed class GitHubBookkeepingTests(ActionFixture fixture)
{
    private static readonly string Quickstart = File.ReadAllText(Path.Combine(Repo.Root, "examples", "quickstart", "app.json"));

    [Fact]
    public async Task Apply_Twice_RecordsEachDeploymentAndMakesTheEarlierInactive()
    {
        await using var github = new RecordingGitHubServer();
        using var runner = Runner(github).Input("environment-url", "https://quickstart.example.test/");

        var first = await RunAsync(runner.Input("vars", "version=1"));
        var second = await RunAsync(runner.Input("vars", "version=2"));

        first.Exit.ShouldBe(0, first.ToString());
        second.Exit.ShouldBe(0, second.ToString());
        var deployments = github.Deployments;
        deployments.Count.ShouldBe(2);
        deployments[0]["environment"]!.GetValue<string>().ShouldBe("quickstart");
        deployments[0]["sha"]!.GetValue<string>().ShouldBe(runner.Context["GITHUB_SHA"]);
        deployments[0]["auto_merge"]!.GetValue<bool>().ShouldBeFalse();
        deployments[0]["required_contexts"]!.AsArray().Count.ShouldBe(0);
        deployments[0]["payload"]!.ToJsonString().ShouldBe("""{"app":"quickstart","colour":"blue","version":"1"}""");
        deployments[1]["payload"]!.ToJsonString().ShouldBe("""{"app":"quickstart","colour":"green","version":"2"}""");
        var firstId = deployments[0]["id"]!.GetValue<long>();
        var secondId = deployments[1]["id"]!.GetValue<long>();
        github.States(firstId).ShouldBe(["in_progress", "success", "inactive"]);
        github.States(secondId).ShouldBe(["in_progress", "success"]);
        var success = github.Statuses(secondId)[1];
        success["environment_url"]!.GetValue<string>().ShouldBe("https://quickstart.example.test/");
        success["log_url"]!.GetValue<string>().ShouldBe($"{github.ApiUrl.Replace("/api/v3", "")}/octo/bookkeeping/actions/runs/4242");
        runner.Outputs()["deployment-id"].ShouldBe(secondId.ToString());
        github.Requests.ShouldAllBe(r => r.Target.StartsWith("/api/v3/repos/octo/bookkeeping/", StringComparison.Ordinal));
        github.Requests.ShouldAllBe(r => string.Equals(r.Authorization, "token " + SimulatedRunner.Token, StringComparison.OrdinalIgnoreCase));
        github.Violations.ShouldBeEmpty();
        ActionEntrypointTests.AssertTokenNeverShown(runner, first, second);
    }

    [Fact]
    public async Task Plan_TwiceOnOnePullRequest_UpdatesOneCommentInPlace()
    {
        await using var github = new RecordingGitHubServer();
        using var runner = Runner(github).Input("command", "plan");
        var number = runner.PullRequestEvent();
        github.AddComment(number, "LGTM, someone else's comment");

        var first = await RunAsync(runner.Input("vars", "version=1"));
        var second = await RunAsync(runner.Input("vars", "version=2"));

        first.Exit.ShouldBe(0, first.ToString());
        second.Exit.ShouldBe(0, second.ToString());
        var comments = github.Comments;
        comments.Count.ShouldBe(2);
        comments[0]["body"]!.GetValue<string>().ShouldBe("LGTM, someone else's comment");
        var plan = comments[1]["body"]!.GetValue<string>();
        plan.ShouldStartWith("<!-- deploy-action plan: quickstart -->");
        plan.ShouldContain("idle: blue -> version 2");
        github.Requests.Count(r => r.Method == "PATCH").ShouldBe(1);
        github.Deployments.ShouldBeEmpty("plan records no deployment by default");
        github.Violations.ShouldBeEmpty();
    }

    [Fact]
    public async Task GitHub_ServerErrorOnce_IsRetriedAndTheDeploymentRecorded()
    {
        await using var github = new RecordingGitHubServer { FailNext = 1 };
        using var runner = Runner(github);

        var run = await RunAsync(runner);

        run.Exit.ShouldBe(0, run.ToString());
        run.Stdout.ShouldContain("502");
        run.Stdout.ShouldContain("retrying");
        github.Deployments.Count.ShouldBe(1);
        github.States(github.Deployments[0]["id"]!.GetValue<long>()).ShouldBe(["in_progress", "success"]);
    }

    [Fact]
    public async Task GitHub_Refusing_WarnsAndTheDeployGoesOn()
    {
        await using var github = new RecordingGitHubServer { RefuseAll = true };
        using var runner = Runner(github);

        var run = await RunAsync(runner);

        run.Exit.ShouldBe(0, run.ToString());
        run.Commands("warning").ShouldContain(w => w.Message.Contains("403"));
        runner.Outputs()["live-colour"].ShouldBe("blue");
        runner.Outputs()["deployment-id"].ShouldBe("");
        github.Requests.Count.ShouldBe(1, "after GitHub refused once, the step stops asking");
    }

    [Fact]
    public async Task GitHub_RefusingWhenDeploymentRequired_FailsBeforeDeploying()
    {
        await using var github = new RecordingGitHubServer { RefuseAll = true };
        using var runner = Runner(github).Input("deployment", "required");

        var run = await RunAsync(runner);

        run.Exit.ShouldBe(1, run.ToString());
        run.Commands("error")[0].Message.ShouldContain("deployment is required");
        Directory.Exists(Path.Combine(runner.Workspace, ".deploy", "proxy")).ShouldBeFalse("nothing was deployed");
    }

    [Fact]
    public async Task Apply_WithBadInput_RecordsTheDeploymentAsError()
    {
        await using var github = new RecordingGitHubServer();
        using var runner = Runner(github);
        runner.AddFile("app.json", Quickstart.Replace("\"Size\": 2", "\"Size\": -1"));

        var run = await RunAsync(runner);

        run.Exit.ShouldBe(2, run.ToString());
        github.States(github.Deployments.Single()["id"]!.GetValue<long>()).ShouldBe(["in_progress", "error"]);
        github.Violations.ShouldBeEmpty();
    }

    private static SimulatedRunner Runner(RecordingGitHubServer github)
    {
        var runner = new SimulatedRunner(github.ApiUrl, "octo/bookkeeping");
        runner.AddFile("app.json", Quickstart);
        return runner.Input("spec", "app.json");
    }

    private async Task<EntrypointRun> RunAsync(SimulatedRunner runner) => await (await fixture.Entrypoint).RunAsync(runner.Environment);
}
