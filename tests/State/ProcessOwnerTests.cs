using System.Diagnostics;
using Deploy.Engine.State;

namespace Deploy.Tests.State;

/// <summary>
/// Whether a recorded process still runs, judged only where it can be: on its host and in its PID namespace. A
/// container on the host's network has the host's name and pids of its own.
/// </summary>
public sealed class ProcessOwnerTests
{
    [Fact]
    public void Current_OnLinux_RecordsItsPidNamespace()
    {
        var me = ProcessOwner.Current;

        me.PidNamespace.ShouldNotBeNullOrEmpty();
        me.PidNamespace.ShouldBe(new FileInfo("/proc/self/ns/pid").LinkTarget!.Split('[', ']')[1]);
        me.IsCurrent.ShouldBeTrue();
        me.IsAlive().ShouldBeTrue();
    }

    [Fact]
    public async Task IsAlive_ExitedProcessOfThisNamespace_False()
    {
        var exited = await ExitedAsync();

        (ProcessOwner.Current with { Pid = exited.Pid, ProcessStart = exited.Start }).IsAlive().ShouldBeFalse();
    }

    [Fact]
    public async Task IsAlive_SamePidInAnotherPidNamespaceOfThisHost_CountsAliveAsItCannotBeChecked()
    {
        var exited = await ExitedAsync();
        var inContainer = ProcessOwner.Current with { Pid = exited.Pid, ProcessStart = exited.Start, PidNamespace = "4026531999" };

        inContainer.IsCheckableHere.ShouldBeFalse();
        inContainer.IsAlive().ShouldBeTrue();
        inContainer.IsCurrent.ShouldBeFalse();
        inContainer.Where.ShouldBe($"{Environment.MachineName} (in another PID namespace: a container)");
    }

    [Fact]
    public async Task IsAlive_RecordWithoutNamespace_JudgedByHostAndPidAsBefore()
    {
        var exited = await ExitedAsync();

        (ProcessOwner.Current with { Pid = exited.Pid, ProcessStart = exited.Start, PidNamespace = null }).IsAlive().ShouldBeFalse();
        (ProcessOwner.Current with { PidNamespace = null }).IsAlive().ShouldBeTrue();
        (ProcessOwner.Current with { PidNamespace = null }).IsCurrent.ShouldBeTrue();
        (ProcessOwner.Current with { Pid = exited.Pid, Host = "other-host" }).IsAlive().ShouldBeTrue();
    }

    private static async Task<(int Pid, DateTimeOffset Start)> ExitedAsync()
    {
        using var process = Process.Start("sleep", "30")!;
        var start = process.StartTime.ToUniversalTime();
        process.Kill();
        await process.WaitForExitAsync();
        return (process.Id, start);
    }
}
