using Deploy.Tests.Support;

namespace Deploy.Tests.Docs;

/// <summary>
/// The docs as tests: every shell block of README.md, examples/*/README.md and docs/*.md whose first line is
/// <c># run from: FOLDER</c> runs as written, and its output shows every <c># → TEXT</c> line. One case per block,
/// named by document and line; cases of this class run one at a time (several start nginx or HAProxy).
/// </summary>
public sealed class DocsTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);

    public static TheoryData<string, int> RunnableBlocks()
    {
        var data = new TheoryData<string, int>();
        foreach (var block in AllBlocks().Where(b => b.RunFrom is not null))
        {
            data.Add(block.Doc, block.Line);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(RunnableBlocks))]
    public async Task Block_RunsAsWrittenAndShowsItsDocumentedOutput(string doc, int line)
    {
        var block = AllBlocks().Single(b => b.Doc == doc && b.Line == line);
        using var sandbox = new DocSandbox();

        var (exitCode, output) = await sandbox.RunAsync(block, Timeout);

        var where = $"{doc}:{line}\n{block.Text}\n--- output\n{output}";
        exitCode.ShouldBe(0, where);
        foreach (var expected in block.Expected)
        {
            DocBlock.Shows(output, sandbox.Substitute(block, expected)).ShouldBeTrue($"the output lacks \"{expected}\"\n{where}");
        }
    }

    [Fact]
    public void ShellBlocks_InEveryDoc_AreRunOrSayWhyNot()
    {
        var unmarked = AllBlocks()
            .Where(b => b.RunFrom is null && b.NotRun is null)
            .Select(b => $"{b.Doc}:{b.Line}");

        unmarked.ShouldBeEmpty("a shell block starts with '# run from: FOLDER' (the tests run it) or '# not run: WHY'");
    }

    [Fact]
    public void RunnableBlocks_StartFromAFolderOfTheRepository()
    {
        foreach (var block in AllBlocks().Where(b => b.RunFrom is not null))
        {
            Directory.Exists(Path.Combine(Repo.Root, block.RunFrom!)).ShouldBeTrue($"{block.Doc}:{block.Line} runs from {block.RunFrom}, which does not exist");
        }
    }

    [Theory]
    [InlineData("Created instance instance-123 with tags deploy.config_sha=abc,deploy.group=app-blue", "Created instance instance-... with tags deploy.config_sha=abc,...", true)]
    [InlineData("quickstart: green is live (version 3); blue on standby", "quickstart: green is live (version 3)", true)]
    [InlineData("Created instance\nwith tags", "Created instance...with tags", false)]
    public void Shows_MatchesDotsWithinOneLine(string output, string expected, bool shows) =>
        DocBlock.Shows(output, expected).ShouldBe(shows);

    private static IEnumerable<DocBlock> AllBlocks() =>
        DocBlock.Documents(Repo.Root).SelectMany(doc => DocBlock.Parse(doc, File.ReadAllText(Path.Combine(Repo.Root, doc))));
}
