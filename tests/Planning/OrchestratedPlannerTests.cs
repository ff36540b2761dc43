using Deploy.Engine.Planning;
using Deploy.Engine.Plugins.Group;
using Deploy.Engine.Spec;

namespace Deploy.Tests.Planning;

/// <summary>The pure planner of orchestrated groups: what to ask of the orchestrator, and the sentence that says it.</summary>
public sealed class OrchestratedPlannerTests
{
    private const string New = "new-hash";
    private const string Old = "old-hash";
    private static readonly (string Noun, string Runs) Service = ("service", "image hello:2");

    [Fact]
    public void Plan_NoObservedGroup_CreatesIt()
    {
        var plan = OrchestratedPlanner.Plan(Spec(replicas: 4), New, observed: null, Service, isNewGroup: true);

        plan.Orchestrated.ShouldBe(new OrchestratedChange(OrchestratedAction.Create, "Creates service app-green with 4 replicas of image hello:2"));
        plan.Description.ShouldBe("Creates service app-green with 4 replicas of image hello:2");
        plan.IsNoop.ShouldBeFalse();
        (plan.GroupId, plan.ConfigHash, plan.DesiredSize, plan.IsNewGroup).ShouldBe(("app-green", New, 4, true));
        plan.ToDestroy.ShouldBeEmpty();
        plan.ToRoll.ShouldBeEmpty();
        plan.ToAdd.ShouldBeEmpty();
    }

    [Fact]
    public void Plan_NoObservedGroupOfOne_SaysOneReplica()
    {
        var plan = OrchestratedPlanner.Plan(Spec(replicas: 1), New, observed: null, Service, isNewGroup: true);

        plan.Description.ShouldBe("Creates service app-green with 1 replica of image hello:2");
    }

    [Fact]
    public void Plan_HashDiffersSameReplicas_UpdatesSayingTheReplicasAndStep()
    {
        var plan = OrchestratedPlanner.Plan(Spec(replicas: 4), New, Observed(hash: Old, replicas: 4), Service, isNewGroup: false);

        plan.Orchestrated!.Action.ShouldBe(OrchestratedAction.Update);
        plan.Description.ShouldBe("Updates service app-green to image hello:2 (4 replicas), 1 task at a time");
        plan.IsNoop.ShouldBeFalse();
    }

    [Fact]
    public void Plan_HashAndReplicasDiffer_UpdatesAndScalesInOneSentence()
    {
        var plan = OrchestratedPlanner.Plan(Spec(replicas: 4, updateCount: 2), New, Observed(hash: Old, replicas: 2), Service, isNewGroup: false);

        plan.Orchestrated!.Action.ShouldBe(OrchestratedAction.Update);
        plan.Description.ShouldBe("Updates service app-green to image hello:2 and from 2 to 4 replicas, 2 tasks at a time");
        plan.IsNoop.ShouldBeFalse();
    }

    [Fact]
    public void Plan_HashDiffersWhileOrchestratorPaused_UpdatesRatherThanRetries()
    {
        var observed = Observed(hash: Old, replicas: 4, rollout: GroupRollout.Paused, message: "update paused");

        var plan = OrchestratedPlanner.Plan(Spec(replicas: 4), New, observed, Service, isNewGroup: false);

        plan.Orchestrated!.Action.ShouldBe(OrchestratedAction.Update);
    }

    [Fact]
    public void Plan_OnlyReplicasDiffer_Scales()
    {
        var plan = OrchestratedPlanner.Plan(Spec(replicas: 4), New, Observed(hash: New, replicas: 2), Service, isNewGroup: false);

        plan.Orchestrated.ShouldBe(new OrchestratedChange(OrchestratedAction.Scale, "Scales service app-green from 2 to 4 replicas"));
        plan.Description.ShouldBe("Scales service app-green from 2 to 4 replicas");
        plan.IsNoop.ShouldBeFalse();
    }

    [Fact]
    public void Plan_ScaleDownToOne_SaysOneReplica()
    {
        var plan = OrchestratedPlanner.Plan(Spec(replicas: 1), New, Observed(hash: New, replicas: 3), Service, isNewGroup: false);

        plan.Description.ShouldBe("Scales service app-green from 3 to 1 replica");
    }

    [Theory]
    [InlineData(GroupRollout.Paused)]
    [InlineData(GroupRollout.RolledBack)]
    public void Plan_SameHashButOrchestratorStoppedTheUpdate_RetriesWithItsMessage(GroupRollout rollout)
    {
        var observed = Observed(hash: New, replicas: 4, rollout: rollout, message: "task abc: non-zero exit (1)");

        var plan = OrchestratedPlanner.Plan(Spec(replicas: 4), New, observed, Service, isNewGroup: false);

        plan.Orchestrated!.Action.ShouldBe(OrchestratedAction.Retry);
        plan.Description.ShouldBe("Retries the update of service app-green to image hello:2, which its orchestrator stopped (task abc: non-zero exit (1))");
        plan.IsNoop.ShouldBeFalse();
    }

    [Fact]
    public void Plan_StoppedWithoutMessage_RetriesWithoutParentheses()
    {
        var observed = Observed(hash: New, replicas: 4, rollout: GroupRollout.RolledBack, message: null);

        var plan = OrchestratedPlanner.Plan(Spec(replicas: 4), New, observed, Service, isNewGroup: false);

        plan.Description.ShouldBe("Retries the update of service app-green to image hello:2, which its orchestrator stopped");
    }

    [Theory]
    [InlineData(GroupRollout.Complete)]
    [InlineData(GroupRollout.Updating)]
    public void Plan_SameHashAndReplicas_Noop(GroupRollout rollout)
    {
        var plan = OrchestratedPlanner.Plan(Spec(replicas: 4), New, Observed(hash: New, replicas: 4, rollout: rollout), Service, isNewGroup: false);

        plan.Orchestrated!.Action.ShouldBe(OrchestratedAction.None);
        plan.IsNoop.ShouldBeTrue();
        plan.Description.ShouldBe("Noop");
    }

    private static GroupSpec Spec(int replicas, int updateCount = 1) => new(
        Id: "app-green",
        Properties: new GroupProperties(
            Allocation: new Allocation(Size: replicas, LogicalIds: null),
            Instance: null,
            Flavor: null,
            Updating: new UpdatingSpec(Count: updateCount),
            Orchestrator: new PluginSpec(Plugin: "group-swarm", Properties: null)));

    private static OrchestratedGroup Observed(string hash, int replicas, GroupRollout rollout = GroupRollout.Complete, string? message = null) => new(
        GroupId: "app-green",
        Replicas: replicas,
        ConfigHash: hash,
        Rollout: rollout,
        RolloutMessage: message,
        Tasks: []);
}
