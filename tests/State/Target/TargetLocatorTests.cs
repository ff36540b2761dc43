using System.Text.Json;
using Deploy.Engine.Apps;
using Deploy.Engine.Diagnostics;
using Deploy.Engine.State.Target;
using Deploy.Tests.Support;

namespace Deploy.Tests.State.Target;

/// <summary>Which specs keep their state on a target, decided on the spec as written (what the Action asks before running).</summary>
public sealed class TargetLocatorTests
{
    [Theory]
    [InlineData("containers/app.json", true)]
    [InlineData("quickstart/app.json", false)]
    [InlineData("nginx/shop.json", false)]
    public void KeepsStateOnTarget_Examples(string example, bool expected) =>
        TargetLocator.KeepsStateOnTarget(Parse(File.ReadAllText(Path.Combine(Repo.Root, "examples", example)))).ShouldBe(expected);

    [Fact]
    public void KeepsStateOnTarget_ProcessesBehindAProxyContainer_True() =>
        TargetLocator.KeepsStateOnTarget(Parse("""
            { "ID": "a", "Colours": { "blue": {}, "green": {} },
              "Group": { "Allocation": { "Size": 1 }, "Instance": { "Plugin": "instance-file" }, "Flavor": { "Plugin": "flavor-vanilla" } },
              "Proxy": { "Plugin": "proxy-nginx", "Properties": { "Container": "a-proxy" } } }
            """)).ShouldBeTrue();

    [Fact]
    public void KeepsStateOnTarget_OneColourPatchedToContainers_True() =>
        TargetLocator.KeepsStateOnTarget(Parse("""
            { "ID": "a", "Colours": { "blue": {}, "green": { "Instance": { "Plugin": "instance-docker" } } },
              "Group": { "Allocation": { "Size": 1 }, "Instance": { "Plugin": "instance-file" }, "Flavor": { "Plugin": "flavor-vanilla" } } }
            """)).ShouldBeTrue();

    private static AppSpec Parse(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var bag = new DiagnosticBag();
        return AppSpecParser.Parse(doc.RootElement.Clone(), bag) ?? throw new InvalidOperationException(string.Join("\n", bag.Items.Select(d => d.Message)));
    }
}
