using Deploy.Engine.Diagnostics;
using Deploy.Tests.Support;

namespace Deploy.Tests.Tasks;

/// <summary>docs/msbuild.md documents the one code table of the engine; this keeps the two from drifting.</summary>
public sealed class MsBuildDocsTests
{
    [Fact]
    public void CodeTable_EveryCatalogueEntry_IsDocumentedWithItsTitleAndExitCode()
    {
        var doc = File.ReadAllText(Path.Combine(Repo.Root, "docs", "msbuild.md"));

        foreach (var code in Errors.All)
        {
            var exit = code.Severity == Severity.Warning ? "—" : code.ExitCode.ToString();
            var kind = code.Severity == Severity.Warning ? "warning" : "error";
            doc.ShouldContain($"| `{code.Id}` | {kind} | {code.Title} | {exit} |");
        }
    }
}
