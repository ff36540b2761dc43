using System.Diagnostics;
using System.Text.Json;
using Deploy.Engine.Diagnostics;
using Deploy.Engine.Events;
using Deploy.Engine.State;
using Deploy.Tests.Support;

namespace Deploy.Tests.State;

public sealed class LockFileTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly RecordingEvents _events = new();

    [Fact]
    public void Acquire_HeldByLiveProcess_ExitCode3NamingHolder()
    {
        using var held = LockFile.Acquire(_dir.Path, "group-app", "group update", _events);

        var e = Should.Throw<DeployException>(() => LockFile.Acquire(_dir.Path, "group-app", "group watch", _events));

        e.ExitCode.ShouldBe(3);
        e.Message.ShouldContain($"pid {Environment.ProcessId}");
        e.Message.ShouldContain("group update");
    }

    [Fact]
    public void Acquire_AfterRelease_Succeeds()
    {
        LockFile.Acquire(_dir.Path, "group-app", "one", _events).Dispose();

        using var again = LockFile.Acquire(_dir.Path, "group-app", "two", _events);

        _events.Warnings.ShouldBeEmpty();
    }

    [Fact]
    public void Acquire_HolderDead_TakenOverWithWarning()
    {
        using var dead = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        dead.WaitForExit();
        File.WriteAllText(Path.Combine(_dir.Path, "group-app.lock"), JsonSerializer.Serialize(
            new LockFile.Holder(dead.Id, Environment.MachineName, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow, "group update")));

        using var taken = LockFile.Acquire(_dir.Path, "group-app", "group watch", _events);

        _events.Warnings.Single().Code.ShouldBe(Errors.StaleLock);
        LockFile.Peek(_dir.Path, "group-app")!.Command.ShouldBe("group watch");
    }

    [Fact]
    public void Acquire_PidReusedByAnotherProcess_TakenOver()
    {
        // Our own pid, but a start time that is not ours: the recorded holder is gone and its pid reused.
        File.WriteAllText(Path.Combine(_dir.Path, "group-app.lock"), JsonSerializer.Serialize(
            new LockFile.Holder(Environment.ProcessId, Environment.MachineName, DateTimeOffset.UtcNow.AddDays(-3), DateTimeOffset.UtcNow, "old")));

        using var taken = LockFile.Acquire(_dir.Path, "group-app", "new", _events);

        _events.Warnings.Single().Code.ShouldBe(Errors.StaleLock);
    }

    [Fact]
    public async Task TryAcquire_ManyThreadsRacing_OnlyCleanHeldResultsAndNeverTwoHolders()
    {
        var (most, taken) = await RaceAsync(threads: 8, rounds: 400);

        most.ShouldBe(1);
        taken.ShouldBeGreaterThan(8);
        _events.Warnings.ShouldBeEmpty();
        LockFile.Peek(_dir.Path, "app-x").ShouldBeNull();
    }

    [Fact]
    public async Task TryAcquire_ManyThreadsRacingForADeadHoldersLock_OneTakesItOverAndNeverTwoHolders()
    {
        using var dead = Process.Start(new ProcessStartInfo("sleep", "60") { UseShellExecute = false })!;
        var started = dead.StartTime.ToUniversalTime();
        dead.Kill();
        dead.WaitForExit();
        File.WriteAllText(Path.Combine(_dir.Path, "app-x.lock"), JsonSerializer.Serialize(
            new LockFile.Holder(dead.Id, Environment.MachineName, started, DateTimeOffset.UtcNow, "apply")));

        var (most, taken) = await RaceAsync(threads: 8, rounds: 100);

        most.ShouldBe(1);
        taken.ShouldBeGreaterThan(0);
        _events.Warnings.Single().Code.ShouldBe(Errors.StaleLock);
    }

    [Fact]
    public void Acquire_UnreadableOldLockFile_TakenOverWithWarning()
    {
        var path = Path.Combine(_dir.Path, "group-app.lock");
        File.WriteAllText(path, "{ not a lock");
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddMinutes(-1));

        using var taken = LockFile.Acquire(_dir.Path, "group-app", "apply", _events);

        _events.Warnings.Single().Message.ShouldContain("unreadable");
    }

    // Threads take and release lock app-x as fast as they can; returns the most holders at once and how often it was taken.
    private async Task<(int Most, int Taken)> RaceAsync(int threads, int rounds)
    {
        var inside = 0;
        var most = 0;
        var taken = 0;
        var failures = new System.Collections.Concurrent.ConcurrentQueue<Exception>();
        await Task.WhenAll(Enumerable.Range(0, threads).Select(t => Task.Factory.StartNew(() =>
        {
            for (var i = 0; i < rounds; i++)
            {
                try
                {
                    using var held = LockFile.TryAcquire(_dir.Path, "app-x", $"thread {t}", _events, out _);
                    if (held is null)
                    {
                        continue;
                    }

                    Interlocked.Increment(ref taken);
                    InterlockedMax(ref most, Interlocked.Increment(ref inside));
                    Thread.SpinWait(200);
                    Interlocked.Decrement(ref inside);
                }
                catch (Exception e)
                {
                    failures.Enqueue(e);
                }
            }
        }, TaskCreationOptions.LongRunning)));

        failures.ShouldBeEmpty(string.Join("\n", failures.Take(3)));
        return (most, taken);
    }

    [Fact]
    public async Task AcquireAsync_HeldByController_WaitsUntilReleased()
    {
        var controller = LockFile.Acquire(_dir.Path, "group-app", LockFile.ControllerCommand, _events);

        var waiting = LockFile.AcquireAsync(_dir.Path, "group-app", "apply", _events, TimeSpan.FromSeconds(20), CancellationToken.None);
        await Task.Delay(100);
        waiting.IsCompleted.ShouldBeFalse();
        controller.Dispose();

        using var taken = await waiting;
        LockFile.Peek(_dir.Path, "group-app")!.Command.ShouldBe("apply");
    }

    [Fact]
    public async Task AcquireAsync_HeldByAnotherCommand_RefusesAtOnce()
    {
        using var held = LockFile.Acquire(_dir.Path, "group-app", "apply", _events);

        var e = await Should.ThrowAsync<DeployException>(() =>
            LockFile.AcquireAsync(_dir.Path, "group-app", "apply", _events, TimeSpan.FromMinutes(1), CancellationToken.None));

        e.ExitCode.ShouldBe(3);
    }

    [Fact]
    public void Dispose_AfterLockWasTakenOverBySomeoneElse_LeavesTheirLock()
    {
        var mine = LockFile.Acquire(_dir.Path, "group-app", "one", _events);
        var path = Path.Combine(_dir.Path, "group-app.lock");
        File.WriteAllText(path, JsonSerializer.Serialize(
            new LockFile.Holder(Environment.ProcessId, Environment.MachineName, ProcessOwner.Current.ProcessStart!.Value, DateTimeOffset.UtcNow, "other")));

        mine.Dispose();

        LockFile.Peek(_dir.Path, "group-app")!.Command.ShouldBe("other");
    }

    [Fact]
    public async Task Acquire_HeldByAProcessInAnotherPidNamespaceOfThisHost_RefusedNamingTheContainer()
    {
        // The Action's container on the host network writes this host's name and a pid of its own namespace: here, that
        // pid is another process or none, so the record cannot be checked and the lock stays held.
        using var exited = System.Diagnostics.Process.Start("true")!;
        await exited.WaitForExitAsync();
        File.WriteAllText(Path.Combine(_dir.Path, "group-app.lock"), JsonSerializer.Serialize(
            new LockFile.Holder(exited.Id, Environment.MachineName, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, "apply", PidNamespace: "4026531999")));

        var e = Should.Throw<DeployException>(() => LockFile.Acquire(_dir.Path, "group-app", "apply", _events));

        e.ExitCode.ShouldBe(3);
        e.Message.ShouldContain($"locked by pid {exited.Id} on {Environment.MachineName} (in another PID namespace: a container) (apply");
    }

    private static void InterlockedMax(ref int target, int value)
    {
        var seen = Volatile.Read(ref target);
        while (value > seen && Interlocked.CompareExchange(ref target, value, seen) is var actual && actual != seen)
        {
            seen = actual;
        }
    }

    public void Dispose() => _dir.Dispose();
}
