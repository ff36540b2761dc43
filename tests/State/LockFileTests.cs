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

    public void Dispose() => _dir.Dispose();
}
