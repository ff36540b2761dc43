using System.Text.Json;
using System.Text.Json.Nodes;
using Deploy.Engine.Diagnostics;
using Deploy.Engine.Docker;
using Deploy.Engine.Events;
using Deploy.Engine.Plugins;
using Deploy.Engine.Plugins.Group.Swarm;
using Deploy.Engine.Spec;
using Deploy.Engine.Validation;
using Deploy.Tests.Support;

namespace Deploy.Tests.Spec;

/// <summary>The <c>Orchestrator</c> section of a group spec: it replaces Instance and Flavor, and counts replicas, not logical IDs.</summary>
public sealed class GroupSpecOrchestratorTests : IDisposable
{
    private readonly DockerEngines _engines = new();
    private readonly PluginRegistry _plugins;

    public GroupSpecOrchestratorTests()
    {
        _plugins = new PluginRegistry([], [], [], [new SwarmGroupPlugin(_engines, new RecordingEvents(), environment: _ => null)]);
    }

    public void Dispose() => _engines.Dispose();

    [Fact]
    public void Parse_OrchestratorSection_OrchestratedGroupOwnedByThePlugin()
    {
        var (spec, bag) = Parse(Orchestrated(size: 3, updateCount: 2));

        bag.Items.ShouldBeEmpty();
        spec!.Id.ShouldBe("app-green");
        spec.Properties.IsOrchestrated.ShouldBeTrue();
        spec.Properties.Owner.Plugin.ShouldBe("group-swarm");
        spec.Properties.Owner.ShouldBeSameAs(spec.Properties.Orchestrator);
        spec.Properties.Orchestrator!.Properties!.Value.GetProperty("Image").GetString().ShouldBe("hello:2");
        spec.Properties.Instance.ShouldBeNull();
        spec.Properties.Flavor.ShouldBeNull();
        spec.Properties.Allocation.ShouldBe(new Allocation(Size: 3, LogicalIds: null));
        spec.Properties.Updating.ShouldBe(new UpdatingSpec(Count: 2));
    }

    [Fact]
    public void Parse_OrchestratorWithInstanceAndFlavor_ConflictAtEach()
    {
        var (_, bag) = Parse(Orchestrated(withInstance: true, withFlavor: true));

        bag.Items.Select(d => (d.Code, d.Path)).ShouldBe(
        [
            (Errors.Conflict, "$.Properties.Instance"),
            (Errors.Conflict, "$.Properties.Flavor"),
        ]);
        bag.Items[0].Message.ShouldContain("remove Instance");
        bag.Items[1].Message.ShouldContain("remove Flavor");
    }

    [Fact]
    public void Parse_OrchestratorWithLogicalIds_ConflictAtAllocation()
    {
        var (_, bag) = Parse(Orchestrated(logicalIds: ["a", "b"]));

        var conflict = bag.Items.ShouldHaveSingleItem();
        (conflict.Code, conflict.Path).ShouldBe((Errors.Conflict, "$.Properties.Allocation"));
        conflict.Message.ShouldContain("set \"Size\" instead of \"LogicalIDs\"");
    }

    [Fact]
    public void Parse_ScalerGroupWithoutOrchestrator_Unchanged()
    {
        var (spec, bag) = Parse(GroupJson.Scaler(id: "app", size: 2, instancePlugin: "instance-memory"));

        bag.Items.ShouldBeEmpty();
        spec!.Properties.IsOrchestrated.ShouldBeFalse();
        spec.Properties.Orchestrator.ShouldBeNull();
        spec.Properties.Owner.Plugin.ShouldBe("instance-memory");
        spec.Properties.InstanceSection.Plugin.ShouldBe("instance-memory");
        spec.Properties.FlavorSection.Plugin.ShouldBe("flavor-vanilla");
        spec.Properties.Allocation.ShouldBe(new Allocation(Size: 2, LogicalIds: null));
    }

    [Fact]
    public void Validate_UnknownOrchestratorPlugin_UnknownPluginListingTheGroupPlugins()
    {
        var (spec, _) = Parse(Orchestrated(plugin: "group-nomad"));
        var bag = new DiagnosticBag();

        GroupValidator.Validate(spec!.Properties, "$.Properties", _plugins, bag);

        var error = bag.Items.ShouldHaveSingleItem();
        (error.Code, error.Path).ShouldBe((Errors.UnknownPlugin, "$.Properties.Orchestrator.Plugin"));
        error.Message.ShouldBe("unknown group plugin \"group-nomad\"; known group plugins: group-swarm");
    }

    [Fact]
    public void Validate_KnownOrchestratorPlugin_ItsPropertiesCheckedAtTheirPath()
    {
        var (spec, _) = Parse(Orchestrated(image: null));
        var bag = new DiagnosticBag();

        GroupValidator.Validate(spec!.Properties, "$.Properties", _plugins, bag);

        bag.Items.Select(d => (d.Code, d.Path)).ShouldBe([(Errors.Missing, "$.Properties.Orchestrator.Properties.Image")]);
    }

    [Fact]
    public void Validate_ValidOrchestratedGroup_ReportsNothing()
    {
        var (spec, _) = Parse(Orchestrated());
        var bag = new DiagnosticBag();

        GroupValidator.Validate(spec!.Properties, "$.Properties", _plugins, bag);

        bag.Items.ShouldBeEmpty();
    }

    private static (GroupSpec? Spec, DiagnosticBag Bag) Parse(string json)
    {
        var bag = new DiagnosticBag();
        using var doc = JsonDocument.Parse(json);
        return (GroupSpecParser.Parse(doc.RootElement, bag), bag);
    }

    private static string Orchestrated(
        string plugin = "group-swarm",
        string? image = "hello:2",
        int size = 4,
        string[]? logicalIds = null,
        int? updateCount = null,
        bool withInstance = false,
        bool withFlavor = false)
    {
        var orchestratorProps = new JsonObject { ["Ports"] = "18200-18399", ["Env"] = new JsonObject { ["PORT"] = "{{port}}" } };
        if (image is not null)
        {
            orchestratorProps["Image"] = image;
        }

        var properties = new JsonObject
        {
            ["Allocation"] = logicalIds is null
                ? new JsonObject { ["Size"] = size }
                : new JsonObject { ["LogicalIDs"] = new JsonArray(logicalIds.Select(l => (JsonNode)l!).ToArray()) },
            ["Orchestrator"] = new JsonObject { ["Plugin"] = plugin, ["Properties"] = orchestratorProps },
        };
        if (withInstance)
        {
            properties["Instance"] = new JsonObject { ["Plugin"] = "instance-docker", ["Properties"] = new JsonObject() };
        }

        if (withFlavor)
        {
            properties["Flavor"] = new JsonObject { ["Plugin"] = "flavor-vanilla" };
        }

        if (updateCount is not null)
        {
            properties["Updating"] = new JsonObject { ["Count"] = updateCount.Value };
        }

        return new JsonObject { ["ID"] = "app-green", ["Properties"] = properties }.ToJsonString();
    }
}
