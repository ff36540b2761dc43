using Deploy.Engine.Diagnostics;
using Deploy.Engine.Planning;
using Deploy.Tests.Support;

namespace Deploy.Tests.Groups;

/// <summary>
/// Groups owned by an orchestrator, through the real group service on the in-memory orchestrator: committed, observed,
/// planned and destroyed as a unit, never provisioned task by task, and never fought when its own reconciler acts.
/// </summary>
public sealed class OrchestratedGroupTests : IDisposable
{
    private readonly EngineHarness _engine = new();
    private readonly CancellationToken _ct = CancellationToken.None;

    private string Spec(string image = "hello:1", int size = 3, string? failWith = null) => _engine.Spec($$"""
        {
          "ID": "web",
          "Properties": {
            "Allocation": { "Size": {{size}} },
            "Orchestrator": { "Plugin": "group-memory", "Properties": { "Image": "{{image}}"{{(failWith is null ? "" : $", \"FailWith\": \"{failWith}\"")}} } }
          }
        }
        """);

    [Fact]
    public async Task Watch_OrchestratedGroup_CommitsItOnceAndItsRunningTasksAreTheMembers()
    {
        var change = await _engine.Groups.WatchAsync(Spec(), _ct);

        change.Plan.ShouldBe("Creates service web with 3 replicas of image hello:1");
        var members = await _engine.Groups.InspectAsync("web", _ct);
        members.Count.ShouldBe(3);
        members.ShouldAllBe(m => m.Tags[GroupPlanner.GroupTag] == "web" && m.Tags[GroupPlanner.HashTag] == change.ConfigHash);
        _engine.Orchestrator.VersionOf("web").ShouldBe(1);
        _engine.Memory.Count.ShouldBe(0); // no instance plugin provisioned anything
    }

    [Fact]
    public async Task Update_NewImage_UpdatesTheServiceAndEveryMemberCarriesTheNewHash()
    {
        await _engine.Groups.WatchAsync(Spec(), _ct);

        var change = await _engine.Groups.UpdateAsync(Spec(image: "hello:2"), _ct);

        change.Plan.ShouldBe("Updates service web to image hello:2 (3 replicas), 1 task at a time");
        (await _engine.Groups.InspectAsync("web", _ct)).ShouldAllBe(m => m.Tags[GroupPlanner.HashTag] == change.ConfigHash);
        _engine.Orchestrator.VersionOf("web").ShouldBe(2);
    }

    [Fact]
    public async Task Update_SizeOnly_ScalesWithoutChangingTheHash()
    {
        var first = await _engine.Groups.WatchAsync(Spec(), _ct);

        var change = await _engine.Groups.UpdateAsync(Spec(size: 5), _ct);

        change.Plan.ShouldBe("Scales service web from 3 to 5 replicas");
        change.ConfigHash.ShouldBe(first.ConfigHash);
        (await _engine.Groups.InspectAsync("web", _ct)).Count.ShouldBe(5);
    }

    [Fact]
    public async Task Update_SameSpec_NoopAndNothingCommitted()
    {
        var file = Spec();
        await _engine.Groups.WatchAsync(file, _ct);

        (await _engine.Groups.UpdateAsync(file, _ct)).Plan.ShouldBe("Noop");

        _engine.Orchestrator.VersionOf("web").ShouldBe(1);
    }

    [Fact]
    public async Task Watch_EveryNewTaskFails_StopsWithTheOrchestratorsReason()
    {
        var error = await Should.ThrowAsync<DeployException>(() => _engine.Groups.WatchAsync(Spec(failWith: "No such image: hello:9"), _ct));

        error.Diagnostics[0].Code.ShouldBe(Errors.NotQuiescent);
        error.Diagnostics[0].Message.ShouldContain("No such image: hello:9");
        error.Diagnostics[0].Message.ShouldContain("group web did not become quiescent");
    }

    [Fact]
    public async Task ReconcileAll_TaskLostToItsNode_LeavesTheReplacementToTheOrchestrator()
    {
        await _engine.Groups.WatchAsync(Spec(), _ct);
        var lost = (await _engine.Groups.InspectAsync("web", _ct))[0].Id;
        _engine.Orchestrator.Lose(lost);

        var changed = await _engine.Groups.ReconcileAllAsync(_ct);

        changed.ShouldBeEmpty();
        _engine.Orchestrator.VersionOf("web").ShouldBe(1);
        var members = await _engine.Groups.InspectAsync("web", _ct);
        members.Count.ShouldBe(3);
        members.Select(m => m.Id).ShouldNotContain(lost);
    }

    [Fact]
    public async Task ReconcileAll_UpdateTheOrchestratorPaused_LeftForACommandWhichRetriesIt()
    {
        var file = Spec();
        await _engine.Groups.WatchAsync(file, _ct);
        _engine.Orchestrator.Pause("web", "update paused due to failure or early termination of task x");

        (await _engine.Groups.ReconcileAllAsync(_ct)).ShouldBeEmpty();
        _engine.Orchestrator.VersionOf("web").ShouldBe(1);

        var retry = await _engine.Groups.UpdateAsync(file, _ct);

        retry.Plan.ShouldBe("Retries the update of service web to image hello:1, which its orchestrator stopped (update paused due to failure or early termination of task x)");
        _engine.Orchestrator.VersionOf("web").ShouldBe(2);
    }

    [Fact]
    public async Task Destroy_OrchestratedGroup_RemovesItAsAUnitAndForgetsIt()
    {
        await _engine.Groups.WatchAsync(Spec(), _ct);

        (await _engine.Groups.DestroyAsync("web", _ct)).ShouldBe(3);

        _engine.Orchestrator.VersionOf("web").ShouldBe(0);
        (await _engine.Groups.ListAsync(_ct)).ShouldBeEmpty();
    }

    public void Dispose() => _engine.Dispose();
}
