using System.Diagnostics;
using System.Text.Json;
using Deploy.Engine.Diagnostics;
using Deploy.Engine.Planning;
using Deploy.Engine.State;
using Deploy.Tests.Support;

namespace Deploy.Tests.State;

/// <summary>The journal names its owner; only a dead owner's unfinished update is resumed, never a live one's.</summary>
public sealed class JournalOwnerTests : IDisposable
{
    private readonly EngineHarness _engine = new();
    private readonly CancellationToken _ct = CancellationToken.None;

    [Fact]
    public async Task ReconcileAll_JournalOwnedByLiveProcess_GroupLeftAloneWithoutWarning()
    {
        await _engine.Groups.WatchAsync(_engine.Spec(GroupJson.Scaler(size: 2)), _ct);
        await _engine.Memory.DestroyAsync((await Ids())[0], _ct);
        using var owner = Process.Start(new ProcessStartInfo("sleep", "60") { UseShellExecute = false })!;
        WriteEntry(owner.Id, owner.StartTime.ToUniversalTime());

        var changed = await _engine.Groups.ReconcileAllAsync(_ct);

        owner.Kill();
        changed.ShouldBeEmpty();
        (await Ids()).Count.ShouldBe(1);
        _engine.Events.Warnings.ShouldBeEmpty();
        _engine.Groups.State.Journal.Pending("app")!.Pid.ShouldBe(owner.Id);
    }

    [Fact]
    public async Task Update_JournalOwnedByLiveProcess_RefusedWithExit3AndNothingChanged()
    {
        await _engine.Groups.WatchAsync(_engine.Spec(GroupJson.Scaler(note: "v1")), _ct);
        var before = await Ids();
        using var owner = Process.Start(new ProcessStartInfo("sleep", "60") { UseShellExecute = false })!;
        WriteEntry(owner.Id, owner.StartTime.ToUniversalTime());

        var e = await Should.ThrowAsync<DeployException>(() => _engine.Groups.UpdateAsync(_engine.Spec(GroupJson.Scaler(note: "v2"), "v2.json"), _ct));

        owner.Kill();
        e.ExitCode.ShouldBe(3);
        e.Message.ShouldContain($"pid {owner.Id}");
        (await Ids()).ShouldBe(before);
    }

    [Fact]
    public async Task ReconcileAll_JournalOwnedByDeadProcess_ResumedWithWarning()
    {
        await _engine.Groups.WatchAsync(_engine.Spec(GroupJson.Scaler(size: 2)), _ct);
        await _engine.Memory.DestroyAsync((await Ids())[0], _ct);
        using var dead = Process.Start(new ProcessStartInfo("sleep", "60") { UseShellExecute = false })!;
        var started = dead.StartTime.ToUniversalTime();
        dead.Kill();
        dead.WaitForExit();
        WriteEntry(dead.Id, started);

        var changed = await _engine.Groups.ReconcileAllAsync(_ct);

        changed.Single().Plan.ShouldBe("Adds 1 instance to increase the group size to 2");
        _engine.Events.Warnings.Single().Code.ShouldBe(Errors.ResumedUpdate);
        _engine.Groups.State.Journal.Pending("app").ShouldBeNull();
    }

    [Fact]
    public async Task ReconcileAll_JournalOwnerPidReused_ResumedAsDead()
    {
        await _engine.Groups.WatchAsync(_engine.Spec(GroupJson.Scaler(size: 2)), _ct);
        await _engine.Memory.DestroyAsync((await Ids())[0], _ct);
        using var other = Process.Start(new ProcessStartInfo("sleep", "60") { UseShellExecute = false })!;
        WriteEntry(other.Id, DateTimeOffset.UtcNow.AddDays(-2)); // the pid runs, but not the process that wrote the entry

        await _engine.Groups.ReconcileAllAsync(_ct);

        other.Kill();
        _engine.Events.Warnings.Single().Code.ShouldBe(Errors.ResumedUpdate);
        (await Ids()).Count.ShouldBe(2);
    }

    [Fact]
    public async Task Update_FailedInThisProcess_EntryAbandonedAndNextRunResumesIt()
    {
        await _engine.Groups.WatchAsync(_engine.Spec(GroupJson.Scaler(size: 2, flavorPlugin: "flavor-health")), _ct);
        await Should.ThrowAsync<DeployException>(() => _engine.Groups.UpdateAsync(
            _engine.Spec(GroupJson.Scaler(size: 2, flavorPlugin: "flavor-health", healthy: false, deadline: "100ms"), "bad.json"), _ct));

        var entry = _engine.Groups.State.Journal.Pending("app")!;
        entry.Abandoned.ShouldBeTrue();
        entry.InFlightElsewhere.ShouldBeFalse();

        var change = await _engine.Groups.UpdateAsync(_engine.Spec(GroupJson.Scaler(size: 2, flavorPlugin: "flavor-health", note: "fixed"), "fixed.json"), _ct);

        _engine.Events.Warnings.ShouldContain(w => w.Code == Errors.ResumedUpdate);
        (await _engine.Groups.InspectAsync("app", _ct)).ShouldAllBe(m => m.Tags[GroupPlanner.HashTag] == change.ConfigHash);
    }

    [Fact]
    public async Task Pending_EntryOfAProcessInAnotherPidNamespaceOfThisHost_IsInFlightElsewhere()
    {
        // The Action's container on the host network: this host's name, a pid of its own namespace that means nothing here.
        await _engine.Groups.WatchAsync(_engine.Spec(GroupJson.Scaler(size: 1)), _ct);
        using var exited = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        await exited.WaitForExitAsync();
        WriteEntry(exited.Id, DateTimeOffset.UtcNow, pidNamespace: "4026531999");

        var entry = _engine.Groups.State.Journal.Pending("app")!;

        entry.Owner.IsCheckableHere.ShouldBeFalse();
        entry.InFlightElsewhere.ShouldBeTrue();
    }

    private void WriteEntry(int pid, DateTimeOffset processStart, string? pidNamespace = null) =>
        File.WriteAllText(Path.Combine(_engine.Groups.State.Directory, "journal", "app.json"), JsonSerializer.Serialize(
            new JournalEntry("app", "some-hash", "Performs a rolling update on 2 instances", DateTimeOffset.UtcNow, pid)
            {
                Host = Environment.MachineName,
                ProcessStart = processStart,
                PidNamespace = pidNamespace,
            }));

    private async Task<List<string>> Ids() => (await _engine.Groups.InspectAsync("app", _ct)).Select(m => m.Id).ToList();

    public void Dispose() => _engine.Dispose();
}
