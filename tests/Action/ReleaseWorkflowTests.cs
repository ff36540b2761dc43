using Deploy.Tests.Support;

namespace Deploy.Tests.Action;

/// <summary>The release workflow is valid for GitHub (actionlint) and names no package feed: the feed comes from secrets.</summary>
public sealed class ReleaseWorkflowTests
{
    private static readonly string Workflow = Path.Combine(Repo.Root, ".github", "workflows", "release.yml");

    [Fact]
    public async Task ReleaseWorkflow_PassesActionlint()
    {
        File.Exists(Path.Combine(ActionTools.Modules, "actionlint", "main.wasm"))
            .ShouldBeTrue("actionlint is missing from .tools: run action/test-tools.sh (test.sh does)");
        var (exit, output) = await ActionTools.RunAsync("node", Path.Combine(Repo.Root, "action", "actionlint.cjs"), Workflow);

        exit.ShouldBe(0, output);
    }

    [Fact]
    public void ReleaseWorkflow_OnAVersionTag_PacksBothPackagesAndTakesTheFeedFromSecrets()
    {
        var text = File.ReadAllText(Workflow);

        text.ShouldContain("tags: ['v[0-9]+.[0-9]+.[0-9]+*']");
        text.ShouldContain("dotnet pack tasks/Deploy.Tasks.csproj");
        text.ShouldContain("dotnet pack cli/Deploy.Cli.csproj");
        text.ShouldContain("gh release create");
        text.ShouldContain("${{ secrets.PACKAGE_FEED_URL }}");
        text.ShouldContain("${{ secrets.PACKAGE_FEED_KEY }}");
        text.ShouldNotContain("://"); // no feed (or any other host) named in the repository
    }
}
