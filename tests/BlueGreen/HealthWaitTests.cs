using System.Collections.Concurrent;
using Deploy.Engine.Apps;
using Deploy.Engine.BlueGreen;
using Deploy.Engine.Diagnostics;
using Deploy.Engine.Events;
using Deploy.Engine.Groups;
using Deploy.Engine.Plugins;
using Deploy.Engine.Plugins.Instance;
using Deploy.Engine.Probes;
using Deploy.Tests.Fixtures;

namespace Deploy.Tests.BlueGreen;

/// <summary>
/// A colour is healthy when the engine's HTTP probes and the platform's own verdict agree; real HTTP servers answer the
/// probes and a settable table plays the platform (a container engine's HEALTHCHECK state).
/// </summary>
public sealed class HealthWaitTests : IAsyncDisposable
{
    private readonly LocalHttpProbe _probe = new();
    private readonly TestBackend _instance = TestBackend.Start("ok");
    private readonly PlatformTable _platform = new();

    private MemberView Member => new("web-1", null, new Dictionary<string, string>(), Endpoint.TryParse(_instance.Address));

    private static HealthSpec Health(TimeSpan deadline) => new("/healthz", TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(1), 2, deadline);

    [Fact]
    public async Task WaitAsync_PlatformStartingThenHealthy_ReturnsOnceBothAgree()
    {
        _platform.States["web-1"] = InstanceHealth.Starting;
        var wait = new HealthWait(new HttpChecks(_probe), _platform);
        var task = wait.WaitAsync("green", [Member], Health(TimeSpan.FromSeconds(10)), new NullEvents(), CancellationToken.None);

        await Task.Delay(400);
        task.IsCompleted.ShouldBeFalse("the HTTP probes pass, but the platform has not judged the instance healthy yet");
        _platform.States["web-1"] = InstanceHealth.Healthy;
        await task.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task WaitAsync_InstanceStopsRunning_FailsAtOnceQuotingItsLog()
    {
        _platform.States["web-1"] = InstanceHealth.NotRunning;
        var wait = new HealthWait(new HttpChecks(_probe), _platform, (_, _) => Task.FromResult<string?>("listen tcp: address already in use"));
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var error = await Should.ThrowAsync<DeployException>(() => wait.WaitAsync("green", [Member], Health(TimeSpan.FromSeconds(30)), new NullEvents(), CancellationToken.None));

        clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(5));
        error.Diagnostics[0].Code.ShouldBe(Errors.NotQuiescent);
        error.Diagnostics[0].Message.ShouldContain("green instance web-1 stopped running (not running)");
        error.Diagnostics[0].Message.ShouldContain("address already in use");
    }

    [Fact]
    public async Task WaitAsync_PlatformHealthyButHttpFailing_FailsAtTheDeadlineNamingTheProbe()
    {
        _platform.States["web-1"] = InstanceHealth.Healthy;
        _instance.Status = 503;
        var wait = new HealthWait(new HttpChecks(_probe), _platform);

        var error = await Should.ThrowAsync<DeployException>(() => wait.WaitAsync("green", [Member], Health(TimeSpan.FromMilliseconds(500)), new NullEvents(), CancellationToken.None));

        error.Diagnostics[0].Message.ShouldContain("GET /healthz from this machine last answered 503");
    }

    [Fact]
    public async Task WaitAsync_NoHealthSpec_OnlyThePlatformJudges()
    {
        _instance.Status = 503; // never probed: the spec has no Health
        _platform.States["web-1"] = InstanceHealth.Healthy;
        var events = new RecordingEvents();

        await new HealthWait(new HttpChecks(_probe), _platform).WaitAsync("green", [Member], health: null, events, CancellationToken.None);

        events.Lines.ShouldContain(i => i.Contains("1 of 1 instances healthy (by their platform)"));
    }

    [Fact]
    public async Task WaitAsync_PlatformUnhealthyUntilTheDeadline_SaysItsCheckFails()
    {
        _platform.States["web-1"] = InstanceHealth.Unhealthy;
        var wait = new HealthWait(new HttpChecks(_probe), _platform);

        // Long enough for the HTTP probes to pass even on a loaded machine: only the platform's verdict is left failing.
        var error = await Should.ThrowAsync<DeployException>(() => wait.WaitAsync("green", [Member], Health(TimeSpan.FromSeconds(2)), new NullEvents(), CancellationToken.None));

        error.Diagnostics[0].Message.ShouldContain("its platform reports it unhealthy (its health check fails)");
    }

    [Fact]
    public async Task WaitAsync_InstanceExitsAndItsOrchestratorReplacesIt_ReturnsTheReplacementOnceHealthy()
    {
        var exited = await ExitedMemberAsync("task-1");
        var replacement = new MemberView("task-2", null, new Dictionary<string, string>(), Endpoint.TryParse(_instance.Address));
        var events = new RecordingEvents();
        var asked = 0;
        var wait = new HealthWait(new HttpChecks(_probe), platform: null, stillThere: Present("task-2"),
            replaced: _ => { asked++; return Task.FromResult<IReadOnlyList<MemberView>>([replacement]); });

        var members = await wait.WaitAsync("green", [exited], Health(TimeSpan.FromSeconds(10)), events, CancellationToken.None);

        members.Select(m => m.Id).ShouldBe(["task-2"]);
        asked.ShouldBe(1);
        events.Lines.ShouldContain(l => l.Contains("green instance task-1") && l.Contains("exited before it became healthy; its orchestrator replaces it"));
        events.Lines.ShouldContain(l => l.Contains("green: 1 of 1 instances healthy"));
    }

    [Fact]
    public async Task WaitAsync_InstanceExitsAndNothingReplacesIt_FailsBeforeTheDeadline()
    {
        var exited = await ExitedMemberAsync("web-1");
        var wait = new HealthWait(new HttpChecks(_probe), platform: null, stillThere: Present());
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var error = await Should.ThrowAsync<DeployException>(() => wait.WaitAsync("green", [exited], Health(TimeSpan.FromSeconds(30)), new NullEvents(), CancellationToken.None));

        clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(10));
        error.Diagnostics[0].Code.ShouldBe(Errors.NotQuiescent);
        error.Diagnostics[0].Message.ShouldContain("green instance web-1");
        error.Diagnostics[0].Message.ShouldContain("exited before it became healthy; the live colour was not touched");
    }

    [Fact]
    public async Task WaitAsync_ReplacementsKeepExiting_FailsAfterTheLastReplacementNamingIt()
    {
        var first = await ExitedMemberAsync("task-1");
        var asked = 0;
        var wait = new HealthWait(new HttpChecks(_probe), platform: null, stillThere: Present(),
            replaced: async _ => [await ExitedMemberAsync($"task-{++asked + 1}")]);

        var error = await Should.ThrowAsync<DeployException>(() =>
            wait.WaitAsync("green", [first], Health(TimeSpan.FromSeconds(30)), new NullEvents(), CancellationToken.None));

        asked.ShouldBe(HealthWait.MaxReplacements);
        error.Diagnostics[0].Message.ShouldContain($"green instance task-{HealthWait.MaxReplacements + 1}");
        error.Diagnostics[0].Message.ShouldContain("exited before it became healthy");
    }

    // An instance whose process has gone: nothing listens on its endpoint any more.
    private static async Task<MemberView> ExitedMemberAsync(string id)
    {
        var gone = TestBackend.Start(id);
        var address = gone.Address;
        await gone.DisposeAsync();
        return new MemberView(id, null, new Dictionary<string, string>(), Endpoint.TryParse(address));
    }

    private static Func<CancellationToken, Task<IReadOnlyCollection<string>>> Present(params string[] ids) =>
        _ => Task.FromResult<IReadOnlyCollection<string>>(ids);

    public async ValueTask DisposeAsync()
    {
        _probe.Dispose();
        await _instance.DisposeAsync();
    }

    private sealed class PlatformTable : IInstanceHealth
    {
        public ConcurrentDictionary<string, InstanceHealth> States { get; } = new();

        public Task<InstanceHealth> HealthAsync(string instanceId, CancellationToken cancellationToken) =>
            Task.FromResult(States.GetValueOrDefault(instanceId, InstanceHealth.Gone));
    }
}
