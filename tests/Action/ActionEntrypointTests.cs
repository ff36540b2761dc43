using Deploy.Tests.Support;

namespace Deploy.Tests.Action;

/// <summary>
/// The published entrypoint as a process under a simulated runner, talking to Prism mocking GitHub's published API
/// through nginx at a GHES-style /api/v3 URL: every request it sends must conform.
/// </summary>
[Collection(ActionCollection.Name)]
public sealed class ActionEntrypointTests(ActionFixture fixture)
{
    private static readonly string Quickstart = File.ReadAllText(Path.Combine(Repo.Root, "examples", "quickstart", "app.json"));

    [Fact]
    public async Task Apply_TwiceOnEmbeddedDefaults_AlternatesColoursAndSetsOutputs()
    {
        var prism = await fixture.Prism;
        var repo = "octo/apply-" + Guid.NewGuid().ToString("N")[..8];
        using var runner = new SimulatedRunner(prism.ApiUrl, repo);
        runner.AddFile("deploy/app.json", Quickstart);
        runner.Input("spec", "deploy/app.json").Input("vars", "version=1.0.0");

        var first = await (await fixture.Entrypoint).RunAsync(runner.Environment);
        first.Exit.ShouldBe(0, first.ToString());
        var outputs = runner.Outputs();
        outputs["live-colour"].ShouldBe("blue");
        outputs["previous-colour"].ShouldBe("");
        outputs["version"].ShouldBe("1.0.0");
        outputs["changed"].ShouldBe("true");
        outputs["deployment-id"].ShouldBe("1"); // Prism answers with the description's example deployment

        runner.Input("vars", "version=1.0.1");
        var second = await (await fixture.Entrypoint).RunAsync(runner.Environment);
        second.Exit.ShouldBe(0, second.ToString());
        outputs = runner.Outputs();
        outputs["live-colour"].ShouldBe("green");
        outputs["previous-colour"].ShouldBe("blue");
        outputs["version"].ShouldBe("1.0.1");
        File.ReadAllText(Path.Combine(runner.Workspace, ".deploy", "proxy", "quickstart.json")).ShouldContain("green");
        runner.Summary().ShouldContain("| Live colour after | green |");
        // Each step of the deploy is its own fold in the job log, opened before its work and closed after its result.
        var log = second.Stdout.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        var converge = log.IndexOf("::group::converge green");
        converge.ShouldBeGreaterThan(-1, second.Stdout);
        log.Skip(converge + 1).TakeWhile(l => l != "::endgroup::").ShouldContain(l => l.StartsWith("Created instance "));
        log.Count(l => l.StartsWith("::group::")).ShouldBe(log.Count(l => l == "::endgroup::"));
        log.ShouldContain("::group::flip");

        AssertConforms(prism, repo, atLeast: 6);
        AssertTokenNeverShown(runner, first, second);
    }

    [Fact]
    public async Task Plan_OnPullRequest_WritesMultilinePlanToOutputsSummaryAndComment()
    {
        var prism = await fixture.Prism;
        var repo = "octo/plan-" + Guid.NewGuid().ToString("N")[..8];
        using var runner = new SimulatedRunner(prism.ApiUrl, repo);
        runner.AddFile("app.json", Quickstart);
        runner.Input("command", "plan").Input("spec", "app.json").Input("vars", "version=2.0.0\n");
        var number = runner.PullRequestEvent();

        var run = await (await fixture.Entrypoint).RunAsync(runner.Environment);

        run.Exit.ShouldBe(0, run.ToString());
        var plan = runner.Outputs()["plan"];
        plan.ShouldBe(string.Join("\n",
            "live: none (first deploy)",
            "idle: blue -> version 2.0.0",
            "quickstart-blue : Managing 2 instances",
            "proxy (proxy-file): flips nothing -> blue"));
        // The plan's lines print inside the plan's fold.
        var log = run.Stdout.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        log.Skip(log.IndexOf("::group::plan") + 1).TakeWhile(l => l != "::endgroup::").ShouldContain("quickstart-blue : Managing 2 instances", run.Stdout);
        var summary = runner.Summary();
        summary.ShouldContain("## deploy plan: `quickstart`");
        summary.ShouldContain("| 3 | quickstart-blue : Managing 2 instances |");
        var exchanges = prism.Exchanges(repo);
        var sent = string.Join("\n", exchanges.Select(e => $"{e.Method} {e.Uri} -> {e.Status}")) + "\n" + run;
        exchanges.ShouldContain(e => e.Method == "GET" && e.Uri.Split('?')[0] == $"/api/v3/repos/{repo}/issues/{number}/comments", sent);
        exchanges.ShouldContain(e => e.Method == "POST" && e.Uri == $"/api/v3/repos/{repo}/issues/{number}/comments", sent);
        AssertConforms(prism, repo, atLeast: 2);
        AssertTokenNeverShown(runner, run);
        Directory.Exists(Path.Combine(runner.Workspace, ".deploy", "instances")).ShouldBeFalse("plan must not create instances");
    }

    [Fact]
    public async Task BrokenSpec_AnnotatesEachErrorAtItsFileLineAndColumn()
    {
        var prism = await fixture.Prism;
        var repo = "octo/broken-" + Guid.NewGuid().ToString("N")[..8];
        using var runner = new SimulatedRunner(prism.ApiUrl, repo);
        runner.AddFile("deploy/app.json", """
            {
              "ID": "broken",
              "Colours": { "blue": {}, "green": {} },
              "Group": {
                "Allocation": { "Size": "two" },
                "Instance": { "Plugin": "instance-nope" },
                "Flavor": { "Plugin": "flavor-vanilla" }
              }
            }
            """);
        runner.Input("spec", "deploy/app.json");

        var run = await (await fixture.Entrypoint).RunAsync(runner.Environment);

        run.Exit.ShouldBe(2, run.ToString());
        var errors = run.Commands("error");
        errors[0].Properties.ShouldBe("title=deploy apply");
        errors[0].Message.ShouldStartWith("apply failed: ");
        errors.ShouldContain(e => e.Properties == "title=DEPLOY1005,file=deploy/app.json,line=5,col=29", run.ToString());
        errors.ShouldContain(e => e.Properties.StartsWith("title=DEPLOY1006,file=deploy/app.json,line=6,", StringComparison.Ordinal), run.ToString());
        runner.Summary().ShouldContain("deploy/app.json:5:29");
        AssertConforms(prism, repo, atLeast: 3); // the deployment is still recorded, with state error
        AssertTokenNeverShown(runner, run);
    }

    /// <summary>Fails on any request Prism refused or flagged, listing its sl-violations.</summary>
    internal static void AssertConforms(PrismServer prism, string repo, int atLeast)
    {
        var exchanges = prism.Exchanges(repo);
        exchanges.Count.ShouldBeGreaterThanOrEqualTo(atLeast, "requests that reached Prism");
        var bad = exchanges.Where(e => e.Violations.Length > 0 || !e.Status.StartsWith('2')).ToList();
        bad.ShouldBeEmpty(string.Join("\n", bad.Select(b => $"{b.Method} {b.Uri} -> {b.Status} {b.Violations}")));
    }

    internal static void AssertTokenNeverShown(SimulatedRunner runner, params EntrypointRun[] runs)
    {
        foreach (var run in runs)
        {
            run.Stdout.Split('\n')[0].TrimEnd('\r').ShouldBe("::add-mask::" + SimulatedRunner.Token, "the token is masked before anything prints");
            run.Stdout.Split('\n').Skip(1).ShouldAllBe(l => !l.Contains(SimulatedRunner.Token));
            run.Stderr.ShouldNotContain(SimulatedRunner.Token);
        }

        File.ReadAllText(runner.OutputFile).ShouldNotContain(SimulatedRunner.Token);
        runner.Summary().ShouldNotContain(SimulatedRunner.Token);
    }
}
