using Deploy.Engine.Diagnostics;
using Deploy.Engine.Events;
using Deploy.Engine.Plugins;
using Deploy.Engine.Plugins.Flavor;
using Deploy.Engine.Plugins.Instance;
using Deploy.Engine.Plugins.Proxy;
using Deploy.Engine.Spec;
using Deploy.Tests.Support;

namespace Deploy.Tests.Spec;

public sealed class GroupSpecLoaderTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly PluginRegistry _plugins = new(
        [new FileInstancePlugin(Path.GetTempPath(), NullEvents.Instance)], [new VanillaFlavor()], Array.Empty<IProxyPlugin>());

    [Fact]
    public void Load_SeedFiles_ReadVerbatim()
    {
        var (spec, _) = GroupSpecLoader.Load(Path.Combine(Repo.Root, "examples", "tutorial", "app-green-group.json"), _plugins);

        spec.Id.ShouldBe("app-green");
        spec.Properties.Allocation.Size.ShouldBe(2);
        spec.Properties.Instance.Plugin.ShouldBe("instance-file");
        spec.Properties.Flavor.Plugin.ShouldBe("flavor-vanilla");
        spec.Properties.Updating.ShouldBe(new UpdatingSpec());
    }

    [Fact]
    public void Load_ManyErrors_ReportsEveryOneWithPathAndPosition()
    {
        var file = _dir.Write("bad.json", """
            {
              "ID": "app blue",
              "Properties": {
                "Allocation": { "Size": 2, "LogicalIDs": ["a"] },
                "Instance": { "Plugin": "instance-nope" },
                "Flavor": { "Plugin": "flavor-vanilla", "Properties": { "Labels": { "tier": 3 } } },
                "Updating": { "Count": 0, "Deadline": "soon" }
              }
            }
            """);

        var e = Should.Throw<DeployException>(() => GroupSpecLoader.Load(file, _plugins));

        e.ExitCode.ShouldBe(2);
        var lines = e.Diagnostics.Select(d => d.ToString()).ToList();
        lines.ShouldContain($"{file}(2,9): error DEPLOY1015: $.ID: \"app blue\" must be 1-100 letters, digits, '.', '_' or '-', starting with a letter or digit");
        lines.ShouldContain($"{file}(4,19): error DEPLOY1002: $.Properties.Allocation: set Size or LogicalIDs, not both");
        lines.ShouldContain($"{file}(5,29): error DEPLOY1006: $.Properties.Instance.Plugin: unknown instance plugin \"instance-nope\"; known instance plugins: instance-file");
        lines.ShouldContain(l => l.StartsWith($"{file}(6,81): error DEPLOY1005: $.Properties.Flavor.Properties.Labels.tier"));
        lines.ShouldContain(l => l.StartsWith($"{file}(7,28): error DEPLOY1003: $.Properties.Updating.Count: must be at least 1"));
        lines.ShouldContain(l => l.StartsWith($"{file}(7,43): error DEPLOY1009: $.Properties.Updating.Deadline"));
        e.Diagnostics.Count.ShouldBe(6);
    }

    [Fact]
    public void Load_NegativeSize_OutOfRangeWithValue()
    {
        var file = _dir.Write("neg.json", GroupJson.Scaler(size: 2, instancePlugin: "instance-file").Replace("\"Size\": 2", "\"Size\": -1"));

        var e = Should.Throw<DeployException>(() => GroupSpecLoader.Load(file, _plugins));

        e.Diagnostics.Single().ToString().ShouldEndWith("error DEPLOY1003: $.Properties.Allocation.Size: must be at least 0 (was -1)");
    }

    [Fact]
    public void Load_InvalidJson_PositionFromReader()
    {
        var file = _dir.Write("broken.json", "{\n  \"ID\": \"x\",\n  \"Properties\": { \"Allocation\": { \"Size\": 2 }, }\n}\n");

        var e = Should.Throw<DeployException>(() => GroupSpecLoader.Load(file, _plugins));

        e.Diagnostics.Single().ToString().ShouldBe($"{file}(3,48): error DEPLOY1001: invalid JSON: remove the trailing comma");
    }

    [Fact]
    public void Load_MissingFile_FileNotFound()
    {
        var e = Should.Throw<DeployException>(() => GroupSpecLoader.Load(Path.Combine(_dir.Path, "nope.json"), _plugins));

        e.Diagnostics.Single().Code.ShouldBe(Errors.FileNotFound);
        e.ExitCode.ShouldBe(2);
    }

    [Fact]
    public void Load_DuplicateLogicalIds_ReportsTheSecond()
    {
        var file = _dir.Write("q.json", GroupJson.Quorum(logicalIds: ["a", "b", "a"], instancePlugin: "instance-file"));

        var e = Should.Throw<DeployException>(() => GroupSpecLoader.Load(file, _plugins));

        e.Diagnostics.Single().Path.ShouldBe("$.Properties.Allocation.LogicalIDs[2]");
        e.Diagnostics.Single().Code.ShouldBe(Errors.Duplicate);
    }

    public void Dispose() => _dir.Dispose();
}
