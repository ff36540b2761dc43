using Deploy.Action.GitHub;
using Deploy.Action.Runner;
using Deploy.Tests.Support;

namespace Deploy.Tests.Action;

/// <summary>The Action's metadata and image files through real linters, and the pieces whose rules are GitHub's.</summary>
public sealed class ActionStaticTests
{
    [Fact]
    public async Task ActionYml_PassesActionValidator()
    {
        var (exit, output) = await ActionTools.RunAsync(ActionTools.Bin("action-validator"), Path.Combine(Repo.Root, "action.yml"));
        exit.ShouldBe(0, output);
    }

    [Fact]
    public async Task Dockerfile_PassesDockerfilelint()
    {
        var (exit, output) = await ActionTools.RunAsync(ActionTools.Bin("dockerfilelint"), Path.Combine(Repo.Root, "Dockerfile"));
        exit.ShouldBe(0, output);
    }

    [Fact]
    public void Dockerfile_HasNoUserNorWorkdir_AndAnAbsoluteExecEntrypoint()
    {
        var lines = File.ReadAllLines(Path.Combine(Repo.Root, "Dockerfile"));
        lines.ShouldNotContain(l => l.StartsWith("USER", StringComparison.Ordinal) || l.StartsWith("WORKDIR", StringComparison.Ordinal));
        lines.ShouldContain(l => l.StartsWith("ENTRYPOINT [\"dotnet\", \"/", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("https://api.github.com", "https://api.github.com/")]
    [InlineData("https://ghe.example.test/api/v3", "https://ghe.example.test/")]
    [InlineData("https://ghe.example.test/api/v3/", "https://ghe.example.test/")]
    [InlineData("http://127.0.0.1:8080/api/v3", "http://127.0.0.1:8080/")]
    public void ServerRoot_IsWhatOctokitNeedsToAddApiV3Once(string apiUrl, string root) =>
        OctokitGitHubApi.ServerRoot(new Uri(apiUrl)).ToString().ShouldBe(root);

    [Fact]
    public void GitHubDotCom_RequestsGoToApiGitHubComWithoutPrefix()
    {
        var client = OctokitGitHubApi.CreateClient(new Uri("https://api.github.com"), "t");
        client.Connection.BaseAddress.ToString().ShouldBe("https://api.github.com/");
    }

    [Fact]
    public void Ghes_RequestsGoUnderApiV3Once()
    {
        var client = OctokitGitHubApi.CreateClient(new Uri("https://ghe.example.test/api/v3"), "t");
        client.Connection.BaseAddress.ToString().ShouldBe("https://ghe.example.test/api/v3/");
    }

    [Fact]
    public void ErrorAnnotation_EscapesPropertiesAndMessageAsTheRunnerReadsThem()
    {
        var output = new StringWriter();
        new WorkflowCommands(output).Error("50% done\nnext: line", "dir/a,b:c.json", 3, 7, "DEPLOY1001");
        output.ToString().TrimEnd().ShouldBe("::error title=DEPLOY1001,file=dir/a%2Cb%3Ac.json,line=3,col=7::50%25 done%0Anext: line");
    }

    [Fact]
    public void OutputDelimiter_NeverOccursInTheValue()
    {
        var value = "a\nghadelimiter_\nb";
        var delimiter = OutputFile.Delimiter(value);
        value.ShouldNotContain(delimiter);
        delimiter.Length.ShouldBeGreaterThan(30);
    }
}
