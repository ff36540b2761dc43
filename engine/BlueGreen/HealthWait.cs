using System.Diagnostics;
using Deploy.Engine.Apps;
using Deploy.Engine.Diagnostics;
using Deploy.Engine.Events;
using Deploy.Engine.Groups;
using Deploy.Engine.Plugins;
using Deploy.Engine.Probes;
using Deploy.Engine.Spec;

namespace Deploy.Engine.BlueGreen;

/// <summary>
/// Quiescence of a colour before it may take traffic: every instance answers the spec's Health path with 2xx
/// HealthyThreshold times in a row (when the spec has Health), and its platform reports it healthy (when the plugin
/// judges health itself, e.g. a container's HEALTHCHECK). An instance that stopped running fails the wait at once.
/// </summary>
/// <param name="checks">The HTTP probes, made from where the instances can be reached.</param>
/// <param name="platform">The instance plugin's own health; null when it has none.</param>
/// <param name="logTail">The end of an instance's log by ID, when its plugin keeps one; quoted in a failure.</param>
/// <param name="stillThere">The IDs the plugin still describes: an instance that failed a probe and is gone has exited.</param>
/// <param name="replaced">
/// For a group an orchestrator owns, which replaces a task that exits (its restart policy): waits until it is quiescent
/// again and returns the colour's members then. Null when a lost instance stays lost (the wait fails at once).
/// </param>
public sealed class HealthWait(
    HttpChecks checks,
    IInstanceHealth? platform,
    Func<string, CancellationToken, Task<string?>>? logTail = null,
    Func<CancellationToken, Task<IReadOnlyCollection<string>>>? stillThere = null,
    Func<CancellationToken, Task<IReadOnlyList<MemberView>>>? replaced = null)
{
    /// <summary>The deadline and interval when only the platform judges health (the spec has no Health).</summary>
    public static readonly HealthSpec PlatformOnly = new("/", TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(2), 1, TimeSpan.FromSeconds(60));

    /// <summary>How many times the orchestrator's replacements are waited for before an exited task fails the wait.</summary>
    public const int MaxReplacements = 2;

    /// <summary>
    /// Waits until every member is healthy and returns the members it waited for: those given, or the orchestrator's
    /// replacements. Throws <see cref="DeployException"/> naming the first that is not healthy by the deadline, or that
    /// exited (more than <see cref="MaxReplacements"/> times when an orchestrator replaces it).
    /// </summary>
    public async Task<IReadOnlyList<MemberView>> WaitAsync(string colour, IReadOnlyList<MemberView> members, HealthSpec? health, IDeployEvents events, CancellationToken ct)
    {
        for (var replacements = 0; ; replacements++)
        {
            if (await WaitOnceAsync(colour, members, health, events, ct) is not { } gone)
            {
                return members;
            }

            var what = $"{colour} instance {gone.Id} ({gone.Endpoint}) exited before it became healthy";
            if (replaced is null || replacements == MaxReplacements)
            {
                throw await Failed(what, gone, ct);
            }

            events.Info($"{what}; its orchestrator replaces it: waiting for the group again");
            members = await replaced(ct);
        }
    }

    // Null once every member is healthy; the member that exited while it was waited for.
    private async Task<MemberView?> WaitOnceAsync(string colour, IReadOnlyList<MemberView> members, HealthSpec? health, IDeployEvents events, CancellationToken ct)
    {
        var timing = health ?? PlatformOnly;
        var clock = Stopwatch.StartNew();
        var streak = members.ToDictionary(m => m.Id, _ => 0);
        var last = members.ToDictionary(m => m.Id, _ => new ProbeResult(0, "", "not probed yet"));
        var state = members.ToDictionary(m => m.Id, _ => platform is null ? InstanceHealth.Unchecked : InstanceHealth.Starting);
        bool HttpOk(MemberView m) => health is null || streak[m.Id] >= health.HealthyThreshold;
        bool PlatformOk(MemberView m) => state[m.Id] is InstanceHealth.Healthy or InstanceHealth.Unchecked;
        while (true)
        {
            foreach (var m in members.Where(m => !HttpOk(m) || !PlatformOk(m)))
            {
                // Asked every round until the instance passes: one that looked fine may still crash (a port taken, a bad config).
                if (platform is not null)
                {
                    state[m.Id] = await platform.HealthAsync(m.Id, ct);
                    if (state[m.Id] is InstanceHealth.NotRunning or InstanceHealth.Gone)
                    {
                        throw await Failed($"{colour} instance {m.Id} stopped running ({Describe(state[m.Id])}) before it became healthy", m, ct);
                    }
                }

                if (health is not null && !HttpOk(m))
                {
                    var endpoint = m.Endpoint ?? throw new DeployException(Errors.Refused,
                        $"instance {m.Id} of {colour} has no endpoint to probe; remove Health from the spec or use a plugin with endpoints");
                    last[m.Id] = await checks.ProbeAsync(endpoint.Url(health.Path), health.Timeout, ct);
                    streak[m.Id] = last[m.Id].IsSuccess ? streak[m.Id] + 1 : 0;
                }
            }

            if (members.All(m => HttpOk(m) && PlatformOk(m)))
            {
                var what = health is null ? "by their platform" : $"{health.HealthyThreshold} probes in a row" + (platform is null ? "" : " and their platform");
                events.Info($"{colour}: {members.Count} of {members.Count} instances healthy ({what})");
                return null;
            }

            if (stillThere is not null && members.Any(m => last[m.Id].Error is not null))
            {
                var present = await stillThere(ct);
                if (members.FirstOrDefault(m => last[m.Id].Error is not null && !present.Contains(m.Id)) is { } gone)
                {
                    return gone;
                }
            }

            if (clock.Elapsed >= timing.Deadline)
            {
                var failing = members.First(m => !HttpOk(m) || !PlatformOk(m));
                var why = !HttpOk(failing)
                    ? $"GET {health!.Path} from {checks.Where} last answered {last[failing.Id]}"
                    : $"its platform reports it {Describe(state[failing.Id])}";
                throw await Failed($"{colour} did not become healthy within {Duration.Format(timing.Deadline)}: instance {failing.Id} ({failing.Endpoint}) {why}", failing, ct);
            }

            await Task.Delay(timing.Interval, ct);
        }
    }

    private async Task<DeployException> Failed(string what, MemberView member, CancellationToken ct)
    {
        var log = logTail is null ? null : await logTail(member.Id, ct);
        return new DeployException(Errors.NotQuiescent, $"{what}; the live colour was not touched" + (log is null ? "" : $"; the instance's log ends:\n{log}"));
    }

    private static string Describe(InstanceHealth health) => health switch
    {
        InstanceHealth.NotRunning => "not running",
        InstanceHealth.Gone => "gone",
        InstanceHealth.Starting => "still starting (its health check has not passed yet)",
        InstanceHealth.Unhealthy => "unhealthy (its health check fails)",
        _ => health.ToString().ToLowerInvariant(),
    };
}
