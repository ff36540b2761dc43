using Deploy.Action.Runner;
using Deploy.Tests.Support;

namespace Deploy.Tests.Action;

/// <summary>Where the Action keeps the engine's state folder: never in the workspace when the state lives on a target.</summary>
public sealed class StateFolderTests
{
    [Fact]
    public void Choose_StateOnTarget_TemporaryOutsideTheWorkspaceAndRemovedAfter()
    {
        using var workspace = new TempDir();
        var folder = StateFolder.Choose(given: null, stateOnTarget: true, Context(workspace.Path));
        var path = folder.Path;

        Directory.Exists(path).ShouldBeTrue();
        path.ShouldNotStartWith(workspace.Path);
        folder.Dispose();
        Directory.Exists(path).ShouldBeFalse();
    }

    [Theory]
    [InlineData(null, false, ".deploy")]
    [InlineData("state", false, "state")]
    [InlineData("state", true, "state")]
    public void Choose_GivenOrLocal_InTheWorkspaceAndKept(string? given, bool stateOnTarget, string expected)
    {
        using var workspace = new TempDir();
        using var folder = StateFolder.Choose(given, stateOnTarget, Context(workspace.Path));

        folder.Path.ShouldBe(Path.Combine(workspace.Path, expected));
    }

    private static RunnerContext Context(string workspace) =>
        RunnerContext.Read(name => name == "GITHUB_WORKSPACE" ? workspace : null);
}
