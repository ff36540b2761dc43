using Deploy.Engine.Apps;
using Deploy.Engine.Diagnostics;
using Deploy.Tests.Support;

namespace Deploy.Tests.Apps;

/// <summary>
/// Which phase of <c>dotnet publish -p:DeployOnPublish=true</c> deploys a spec: after PublishContainer when it uses
/// <c>{{var.image}}</c>, else after Publish; each spec in exactly one.
/// </summary>
public sealed class PublishPhaseTests : IDisposable
{
    private readonly TempDir _dir = new();

    private string Spec(string image, string? colourPatch = null) => _dir.Write("deploy.json", $$"""
        {
          "ID": "shop",
          "Colours": { "blue": {{colourPatch ?? "{}"}}, "green": {} },
          "Group": {
            "Allocation": { "Size": 1 },
            "Instance": { "Plugin": "instance-docker", "Properties": { "Image": "{{image}}", "Ports": { "Host": "18000" }, "Network": "host" } },
            "Flavor": { "Plugin": "flavor-vanilla" }
          }
        }
        """);

    [Fact]
    public void Decide_PublishPhaseSpecWithoutImage_DeploysAndSaysNothing()
    {
        var decision = PublishPhases.Decide(Spec("shop:{{var.version}}"), PublishPhase.Publish, image: null);

        decision.ShouldBe(new PhaseDecision(Deploys: true, Message: "", Notable: false));
    }

    [Fact]
    public void Decide_PublishPhaseSpecUsingImage_SkipsAndTellsToAddPublishContainer()
    {
        var decision = PublishPhases.Decide(Spec("{{var.image}}"), PublishPhase.Publish, image: null);

        decision.Deploys.ShouldBeFalse();
        decision.Notable.ShouldBeTrue();
        decision.Message.ShouldBe("shop: deploy.json uses {{var.image}}, so it deploys after PublishContainer, once the image is pushed; " +
                                  "nothing was deployed after Publish. To deploy it, publish with -t:PublishContainer");
    }

    [Fact]
    public void Decide_ImageOnlyInAColourPatch_StillWaitsForPublishContainer()
    {
        var spec = Spec("shop:1", colourPatch: """{ "Instance": { "Properties": { "Image": "{{ var.image }}" } } }""");

        PublishPhases.Decide(spec, PublishPhase.Publish, image: null).Deploys.ShouldBeFalse();
        PublishPhases.Decide(spec, PublishPhase.Container, image: "r/shop@sha256:ab").Deploys.ShouldBeTrue();
    }

    [Fact]
    public void Decide_ContainerPhaseSpecWithoutImage_SkipsQuietlyAsItDeployedAfterPublish()
    {
        var decision = PublishPhases.Decide(Spec("shop:{{var.version}}"), PublishPhase.Container, image: "r/shop@sha256:ab");

        decision.ShouldBe(new PhaseDecision(false,
            "shop: deploy.json does not use {{var.image}}, so it deployed after Publish; nothing to deploy after PublishContainer", Notable: false));
    }

    [Fact]
    public void Decide_ContainerPhaseImageByDigest_DeploysIt()
    {
        var decision = PublishPhases.Decide(Spec("{{var.image}}"), PublishPhase.Container, image: "127.0.0.1:5000/shop@sha256:ab12");

        decision.ShouldBe(new PhaseDecision(true, "shop: deploying image 127.0.0.1:5000/shop@sha256:ab12", Notable: true));
    }

    [Fact]
    public void Decide_ContainerPhaseImageByTag_DeploysItAndSaysWhyNotByDigest()
    {
        var decision = PublishPhases.Decide(Spec("{{var.image}}"), PublishPhase.Container, image: "shop:1.0.0");

        decision.Deploys.ShouldBeTrue();
        decision.Message.ShouldStartWith("shop: deploying image shop:1.0.0 by tag: an image in the local Docker daemon (no ContainerRegistry)");
    }

    [Fact]
    public void Decide_ContainerPhaseWithoutAnImage_PlaceholderErrorSayingWhatToSet()
    {
        var e = Should.Throw<DeployException>(() => PublishPhases.Decide(Spec("{{var.image}}"), PublishPhase.Container, image: ""));

        var d = e.Diagnostics.Single();
        d.Code.ShouldBe(Errors.UnknownPlaceholder);
        d.Message.ShouldContain("PublishContainer made no image a Docker engine can pull");
        d.Message.ShouldContain("-p:DeployImage=IMAGE");
    }

    [Fact]
    public void Decide_MissingSpec_TheErrorADeployWouldGive()
    {
        var e = Should.Throw<DeployException>(() => PublishPhases.Decide(Path.Combine(_dir.Path, "none.json"), PublishPhase.Publish, null));

        e.Diagnostics.Single().Code.ShouldBe(Errors.FileNotFound);
    }

    [Theory]
    [InlineData("publish", PublishPhase.Publish)]
    [InlineData(" Container ", PublishPhase.Container)]
    public void Parse_KnownPhase_ItsValue(string text, PublishPhase phase) => PublishPhases.Parse(text).ShouldBe(phase);

    [Fact]
    public void Parse_UnknownPhase_InvalidArgumentListingBoth()
    {
        var e = Should.Throw<DeployException>(() => PublishPhases.Parse("build"));

        e.Diagnostics.Single().Message.ShouldBe("Phase: \"build\" is not a publish phase; write publish or container");
    }

    public void Dispose() => _dir.Dispose();
}
