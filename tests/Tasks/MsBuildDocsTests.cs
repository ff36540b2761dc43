using Deploy.Engine.Diagnostics;
using Deploy.Tests.Support;

namespace Deploy.Tests.Tasks;

/// <summary>docs/msbuild.md documents the one code table of the engine and the tested web app sample; this keeps them from drifting.</summary>
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

    [Fact]
    public void WebAppSample_ShowsTheSpecAndCommandLinesTheWebAppTestsRun()
    {
        var doc = File.ReadAllText(Path.Combine(Repo.Root, "docs", "msbuild.md"));

        doc.ShouldContain(WebAppTemplate.SampleSpec.TrimEnd());
        doc.ShouldContain("dotnet new web -n shop -o /tmp/shop");
        doc.ShouldContain("cp examples/msbuild/deploy.json /tmp/shop/deploy.json");
        foreach (var line in WebAppTemplate.NugetConfig("/tmp/deploy-feed").Split('\n'))
        {
            doc.ShouldContain($"'{line.TrimEnd()}'");
        }

        doc.ShouldContain("dotnet add package Deploy.Tasks --version 0.1.0");
        foreach (var line in WebAppPublishTests.DocumentedPublishes.Append(WebAppPublishTests.DocumentedStatus))
        {
            doc.ShouldContain($"\n{line}\n");
        }
    }

    [Fact]
    public void ContainerSample_ShowsTheSpecAndCommandLinesTheContainerTestsRun()
    {
        var doc = File.ReadAllText(Path.Combine(Repo.Root, "docs", "msbuild.md"));

        doc.ShouldContain(ContainerPublishTests.SampleSpec.TrimEnd());
        doc.ShouldContain("\ncp examples/msbuild/deploy-container.json /tmp/hello/deploy.json\n");
        doc.ShouldContain("mkdir -p /tmp/hello-proxy && cp examples/msbuild/nginx.conf /tmp/hello-proxy/nginx.conf");
        doc.ShouldContain($"\n{ContainerPublishTests.DocumentedBoot}\n");
        doc.ShouldContain("\ndotnet publish -t:PublishContainer -p:DeployOnPublish=true -p:ContainerRegistry=registry.example.com -p:Version=1.0.0\n");
        doc.ShouldContain(ContainerPublishTests.SkippedAfterPublish);
        doc.ShouldContain("DOTNET_CONTAINER_INSECURE_REGISTRIES=127.0.0.1:5000 dotnet publish -t:PublishContainer");
    }
}
