using Deploy.Engine.Diagnostics;
using Deploy.Engine.Planning;
using Deploy.Tests.Support;

namespace Deploy.Tests.Converge;

/// <summary>InfraKit's group scenarios, run through the real engine on the memory plugin; asserts on the instances that result.</summary>
public sealed class GroupServiceScenarioTests : IDisposable
{
    private readonly EngineHarness _engine = new();
    private readonly CancellationToken _ct = CancellationToken.None;

    [Fact]
    public async Task Watch_NewGroup_CreatesDesiredInstancesTagged()
    {
        var change = await _engine.Groups.WatchAsync(_engine.Spec(GroupJson.Scaler(size: 3)), _ct);

        change.Plan.ShouldBe("Managing 3 instances");
        var members = await _engine.Groups.InspectAsync("app", _ct);
        members.Count.ShouldBe(3);
        members.ShouldAllBe(m => m.Tags[GroupPlanner.GroupTag] == "app" && m.Tags[GroupPlanner.HashTag] == change.ConfigHash && m.Tags["tier"] == "web");
        _engine.Memory.SpecOf(members[0].Id)!.Init.ShouldBe("run app");
    }

    [Fact]
    public async Task Watch_SizeZeroOnFreshState_ConvergesToNoInstances()
    {
        await _engine.Groups.WatchAsync(_engine.Spec(GroupJson.Scaler(size: 0)), _ct);

        (await _engine.Groups.InspectAsync("app", _ct)).ShouldBeEmpty();
    }

    [Fact]
    public async Task Watch_EmptyLogicalIdsOnFreshState_ConvergesToNoInstances()
    {
        await _engine.Groups.WatchAsync(_engine.Spec(GroupJson.Quorum(logicalIds: [])), _ct);

        (await _engine.Groups.InspectAsync("quorum", _ct)).ShouldBeEmpty();
    }

    [Fact]
    public async Task Update_SameSpec_Noop()
    {
        var file = _engine.Spec(GroupJson.Scaler());
        await _engine.Groups.WatchAsync(file, _ct);
        var before = await Ids();

        var change = await _engine.Groups.UpdateAsync(file, _ct);

        change.Plan.ShouldBe("Noop");
        change.Changed.ShouldBeFalse();
        (await Ids()).ShouldBe(before);
    }

    [Fact]
    public async Task Update_InstanceChange_RollsEveryInstanceToNewHash()
    {
        await _engine.Groups.WatchAsync(_engine.Spec(GroupJson.Scaler(note: "v1")), _ct);
        var before = await Ids();

        var change = await _engine.Groups.UpdateAsync(_engine.Spec(GroupJson.Scaler(note: "v2"), "v2.json"), _ct);

        change.Plan.ShouldBe("Performs a rolling update on 2 instances");
        var after = await _engine.Groups.InspectAsync("app", _ct);
        after.Count.ShouldBe(2);
        after.ShouldAllBe(m => m.Tags[GroupPlanner.HashTag] == change.ConfigHash);
        after.Select(m => m.Id).Intersect(before).ShouldBeEmpty();
        _engine.Events.Lines.Count(l => l.StartsWith("Found ")).ShouldBe(2);
    }

    [Fact]
    public async Task Update_FlavorOnlyChange_Rolls()
    {
        await _engine.Groups.WatchAsync(_engine.Spec(GroupJson.Scaler(userData: "run v1")), _ct);

        var change = await _engine.Groups.UpdateAsync(_engine.Spec(GroupJson.Scaler(userData: "run v2"), "v2.json"), _ct);

        change.Plan.ShouldBe("Performs a rolling update on 2 instances");
        (await _engine.Groups.InspectAsync("app", _ct)).ShouldAllBe(m => _engine.Memory.SpecOf(m.Id)!.Init == "run v2");
    }

    [Fact]
    public async Task Update_SizeOnlyChange_GrowsWithoutRolling()
    {
        await _engine.Groups.WatchAsync(_engine.Spec(GroupJson.Scaler(size: 2)), _ct);
        var before = await Ids();

        var change = await _engine.Groups.UpdateAsync(_engine.Spec(GroupJson.Scaler(size: 5), "v2.json"), _ct);

        change.Plan.ShouldBe("Adds 3 instances to increase the group size to 5");
        var after = await Ids();
        after.Count.ShouldBe(5);
        after.ShouldContain(before[0]);
        after.ShouldContain(before[1]);
    }

    [Fact]
    public async Task Update_Shrink_TerminatesExtras()
    {
        await _engine.Groups.WatchAsync(_engine.Spec(GroupJson.Scaler(size: 4)), _ct);
        var before = await Ids();

        var change = await _engine.Groups.UpdateAsync(_engine.Spec(GroupJson.Scaler(size: 1), "v2.json"), _ct);

        change.Plan.ShouldBe("Terminates 3 instances to reduce the group size to 1");
        (await Ids()).ShouldBe([before[^1]]);
    }

    [Fact]
    public async Task Update_RollAndGrow_AllOnNewHashAtNewSize()
    {
        await _engine.Groups.WatchAsync(_engine.Spec(GroupJson.Scaler(size: 3, note: "v1")), _ct);

        var change = await _engine.Groups.UpdateAsync(_engine.Spec(GroupJson.Scaler(size: 8, note: "v2"), "v2.json"), _ct);

        change.Plan.ShouldBe("Performs a rolling update on 3 instances, then adds 5 instances to increase the group size to 8");
        var after = await _engine.Groups.InspectAsync("app", _ct);
        after.Count.ShouldBe(8);
        after.ShouldAllBe(m => m.Tags[GroupPlanner.HashTag] == change.ConfigHash);
    }

    [Fact]
    public async Task Update_SurgeInBatches_NeverBelowDesiredSize()
    {
        await _engine.Groups.WatchAsync(_engine.Spec(GroupJson.Scaler(size: 4, note: "v1")), _ct);
        _engine.Counting.Reset();

        var change = await _engine.Groups.UpdateAsync(_engine.Spec(GroupJson.Scaler(size: 4, note: "v2", updateCount: 2, surge: true), "v2.json"), _ct);

        (await _engine.Groups.InspectAsync("app", _ct)).ShouldAllBe(m => m.Tags[GroupPlanner.HashTag] == change.ConfigHash);
        _engine.Memory.Count.ShouldBe(4);
        _engine.Counting.Min.ShouldBe(4); // after every single provision and destroy of the update, not only at its end
        _engine.Counting.Max.ShouldBe(6);
        _engine.Events.Lines.Count(l => l.StartsWith("Found ")).ShouldBe(2);
    }

    [Fact]
    public async Task Update_NewInstanceUnhealthy_StopsAfterOneReplacement()
    {
        await _engine.Groups.WatchAsync(_engine.Spec(GroupJson.Scaler(size: 3, flavorPlugin: "flavor-health")), _ct);
        var before = await Ids();

        var e = await Should.ThrowAsync<DeployException>(() => _engine.Groups.UpdateAsync(
            _engine.Spec(GroupJson.Scaler(size: 3, flavorPlugin: "flavor-health", healthy: false, deadline: "200ms"), "v2.json"), _ct));

        e.ExitCode.ShouldBe(1);
        e.Diagnostics.Single().Code.ShouldBe(Errors.NotQuiescent);
        var after = await Ids();
        after.Count.ShouldBe(3);
        after.Intersect(before).Count().ShouldBe(2);
    }

    [Fact]
    public async Task Describe_ChangedSpec_PlansWithoutSideEffects()
    {
        await _engine.Groups.WatchAsync(_engine.Spec(GroupJson.Scaler(note: "v1")), _ct);
        var before = await Ids();
        var committed = _engine.Groups.State.CommittedJson("app");

        var change = await _engine.Groups.DescribeAsync(_engine.Spec(GroupJson.Scaler(note: "v2", size: 3), "v2.json"), _ct);

        change.Plan.ShouldBe("Performs a rolling update on 2 instances, then adds 1 instance to increase the group size to 3");
        (await Ids()).ShouldBe(before);
        _engine.Groups.State.CommittedJson("app").ShouldBe(committed);
    }

    [Fact]
    public async Task Free_KeepsInstancesAndForgetsGroup()
    {
        await _engine.Groups.WatchAsync(_engine.Spec(GroupJson.Scaler()), _ct);

        _engine.Groups.Free("app");

        _engine.Memory.Count.ShouldBe(2);
        _engine.Groups.State.GroupIds().ShouldBeEmpty();
        (await Should.ThrowAsync<DeployException>(() => _engine.Groups.InspectAsync("app", _ct))).ExitCode.ShouldBe(2);
    }

    [Fact]
    public async Task Destroy_RemovesEveryMemberAndTheGroup()
    {
        await _engine.Groups.WatchAsync(_engine.Spec(GroupJson.Scaler(size: 3)), _ct);
        await _engine.Groups.WatchAsync(_engine.Spec(GroupJson.Scaler(id: "other", size: 1), "other.json"), _ct);

        await _engine.Groups.DestroyAsync("app", _ct);

        _engine.Memory.Count.ShouldBe(1);
        _engine.Groups.State.GroupIds().ShouldBe(["other"]);
    }

    [Fact]
    public async Task ReconcileAll_LostInstance_Replaced()
    {
        await _engine.Groups.WatchAsync(_engine.Spec(GroupJson.Scaler(size: 2)), _ct);
        var lost = (await Ids())[0];
        await _engine.Memory.DestroyAsync(lost, _ct);

        var changed = await _engine.Groups.ReconcileAllAsync(_ct);

        changed.Single().Plan.ShouldBe("Adds 1 instance to increase the group size to 2");
        var after = await Ids();
        after.Count.ShouldBe(2);
        after.ShouldNotContain(lost);
        _engine.Events.Lines.ShouldContain("Adding 1 instance to group app to reach desired 2");
    }

    [Fact]
    public async Task ReconcileAll_GroupLocked_Skipped()
    {
        await _engine.Groups.WatchAsync(_engine.Spec(GroupJson.Scaler(size: 2)), _ct);
        await _engine.Memory.DestroyAsync((await Ids())[0], _ct);

        using (_engine.Groups.Lock("app", "test"))
        {
            (await _engine.Groups.ReconcileAllAsync(_ct)).ShouldBeEmpty();
            (await Ids()).Count.ShouldBe(1);
        }

        (await _engine.Groups.ReconcileAllAsync(_ct)).Count.ShouldBe(1);
    }

    [Fact]
    public async Task Quorum_LostAndUnknownInstances_RestoredToOnePerLogicalId()
    {
        await _engine.Groups.WatchAsync(_engine.Spec(GroupJson.Quorum(logicalIds: ["a", "b", "c"])), _ct);
        var members = await _engine.Groups.InspectAsync("quorum", _ct);
        await _engine.Memory.DestroyAsync(members.Single(m => m.LogicalId == "b").Id, _ct);
        await _engine.Memory.ProvisionAsync(new(null, new Dictionary<string, string>
        {
            [GroupPlanner.GroupTag] = "quorum", [GroupPlanner.HashTag] = "x", [GroupPlanner.LogicalIdTag] = "zz",
        }, LogicalId: "zz"), _ct);

        await _engine.Groups.ReconcileAllAsync(_ct);

        (await _engine.Groups.InspectAsync("quorum", _ct)).Select(m => m.LogicalId).Order().ShouldBe(["a", "b", "c"]);
    }

    [Fact]
    public async Task Watch_AlreadyWatchedWithOtherSpec_RefusedAndNothingChanged()
    {
        await _engine.Groups.WatchAsync(_engine.Spec(GroupJson.Scaler(note: "v1")), _ct);
        var before = await Ids();

        var e = await Should.ThrowAsync<DeployException>(() => _engine.Groups.WatchAsync(_engine.Spec(GroupJson.Scaler(note: "v2"), "v2.json"), _ct));

        e.ExitCode.ShouldBe(2);
        e.Message.ShouldContain("deploy group update");
        (await Ids()).ShouldBe(before);
    }

    [Fact]
    public async Task Update_InterruptedEarlier_ResumesAndWarns()
    {
        await _engine.Groups.WatchAsync(_engine.Spec(GroupJson.Scaler(note: "v1")), _ct);
        _engine.Groups.State.Journal.Begin("app", "some-hash", "Performs a rolling update on 2 instances");

        var change = await _engine.Groups.UpdateAsync(_engine.Spec(GroupJson.Scaler(note: "v2"), "v2.json"), _ct);

        _engine.Events.Warnings.ShouldContain(w => w.Code == Errors.ResumedUpdate);
        _engine.Groups.State.Journal.Pending("app").ShouldBeNull();
        (await _engine.Groups.InspectAsync("app", _ct)).ShouldAllBe(m => m.Tags[GroupPlanner.HashTag] == change.ConfigHash);
    }

    private async Task<List<string>> Ids() => (await _engine.Groups.InspectAsync("app", _ct)).Select(m => m.Id).ToList();

    public void Dispose() => _engine.Dispose();
}
