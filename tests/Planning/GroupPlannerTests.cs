using Deploy.Engine.Planning;
using Deploy.Engine.Plugins.Instance;
using Deploy.Engine.Spec;

namespace Deploy.Tests.Planning;

public sealed class GroupPlannerTests
{
    private const string New = "new-hash";
    private const string Old = "old-hash";

    [Theory]
    [InlineData(2, 2, 0, "Noop")]
    [InlineData(2, 2, 2, "Performs a rolling update on 2 instances")]
    [InlineData(2, 1, 0, "Adds 1 instance to increase the group size to 2")]
    [InlineData(1, 3, 0, "Terminates 2 instances to reduce the group size to 1")]
    [InlineData(8, 3, 3, "Performs a rolling update on 3 instances, then adds 5 instances to increase the group size to 8")]
    [InlineData(2, 4, 4, "Terminates 2 instances to reduce the group size to 2, then performs a rolling update on 2 instances")]
    [InlineData(2, 3, 1, "Terminates 1 instance to reduce the group size to 2")]
    [InlineData(1, 1, 1, "Performs a rolling update on 1 instance")]
    public void Plan_ScalerGroup_ReadsAsInfraKitSentence(int size, int existing, int undesired, string expected)
    {
        var observed = Instances(existing, undesired);

        var plan = GroupPlanner.Plan(Scaler(size), New, observed, isNewGroup: false);

        plan.Description.ShouldBe(expected);
    }

    [Fact]
    public void Plan_NewGroup_Managing()
    {
        GroupPlanner.Plan(Scaler(2), New, [], isNewGroup: true).Description.ShouldBe("Managing 2 instances");
        GroupPlanner.Plan(Scaler(1), New, [], isNewGroup: true).Description.ShouldBe("Managing 1 instance");
    }

    [Fact]
    public void Plan_Shrink_TerminatesUndesiredFirstThenLowestIds()
    {
        var observed = new[]
        {
            Instance("instance-10", New), Instance("instance-9", New), Instance("instance-11", Old), Instance("instance-2", New),
        };

        var plan = GroupPlanner.Plan(Scaler(2), New, observed, isNewGroup: false);

        plan.ToDestroy.Select(i => i.Id).ShouldBe(["instance-11", "instance-2"]);
        plan.ToRoll.ShouldBeEmpty();
    }

    [Fact]
    public void Plan_Quorum_RecreatesMissingAndTerminatesUnknown()
    {
        var spec = new GroupSpec("q", Properties(new Allocation(null, ["a", "b", "c"])));
        var observed = new[] { Instance("instance-1", New, "a"), Instance("instance-2", New, "z"), Instance("instance-3", Old, "c") };

        var plan = GroupPlanner.Plan(spec, New, observed, isNewGroup: false);

        plan.ToDestroy.Select(i => i.Id).ShouldBe(["instance-2"]);
        plan.ToRoll.Select(i => i.Id).ShouldBe(["instance-3"]);
        plan.ToAdd.ShouldBe(["b"]);
        plan.Description.ShouldBe("Terminates 1 instance outside the group's logical IDs, then performs a rolling update on 1 instance, then adds 1 instance to increase the group size to 3");
    }

    [Fact]
    public void Plan_Quorum_DuplicateLogicalId_KeepsTheDesiredOne()
    {
        var spec = new GroupSpec("q", Properties(new Allocation(null, ["a"])));
        var observed = new[] { Instance("instance-1", Old, "a"), Instance("instance-2", New, "a") };

        var plan = GroupPlanner.Plan(spec, New, observed, isNewGroup: false);

        plan.ToDestroy.Select(i => i.Id).ShouldBe(["instance-1"]);
        plan.ToRoll.ShouldBeEmpty();
    }

    private static GroupSpec Scaler(int size) => new("app", Properties(new Allocation(size, null)));

    private static GroupProperties Properties(Allocation allocation) =>
        new(allocation, new PluginSpec("instance-memory", null), new PluginSpec("flavor-vanilla", null), new UpdatingSpec());

    private static IReadOnlyList<InstanceDescription> Instances(int existing, int undesired) =>
        Enumerable.Range(1, existing).Select(i => Instance($"instance-{i}", i <= undesired ? Old : New)).ToList();

    private static InstanceDescription Instance(string id, string hash, string? logicalId = null) =>
        new(id, logicalId, new Dictionary<string, string> { [GroupPlanner.GroupTag] = "app", [GroupPlanner.HashTag] = hash });
}
