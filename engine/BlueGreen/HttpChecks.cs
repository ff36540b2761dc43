using System.Diagnostics;
using Deploy.Engine.Apps;
using Deploy.Engine.Diagnostics;
using Deploy.Engine.Events;
using Deploy.Engine.Groups;
using Deploy.Engine.Spec;

namespace Deploy.Engine.BlueGreen;

/// <summary>
/// HTTP health probes and verification against instances and the proxy. Each probe opens a fresh connection,
/// so a probe never rides on a connection that a reload is about to close.
/// </summary>
public sealed class HttpChecks : IDisposable
{
    private readonly HttpClient _http = new(new SocketsHttpHandler
    {
        PooledConnectionLifetime = TimeSpan.Zero,
        AllowAutoRedirect = false,
        UseProxy = false,
    });

    /// <summary>One GET: the status code and trimmed body, or the error that prevented an answer.</summary>
    public async Task<ProbeResult> ProbeAsync(string url, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        try
        {
            using var response = await _http.GetAsync(url, cts.Token);
            var body = (await response.Content.ReadAsStringAsync(cts.Token)).Trim();
            return new ProbeResult((int)response.StatusCode, body.Length > 200 ? body[..200] : body, null);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return new ProbeResult(0, "", e is TaskCanceledException ? $"no answer within {Duration.Format(timeout)}" : e.Message);
        }
    }

    /// <summary>
    /// Waits until every instance answered <see cref="HealthSpec.Path"/> with 2xx HealthyThreshold times in a row;
    /// throws naming the instance, the probe and its last response when the deadline passes.
    /// </summary>
    /// <param name="logTail">The end of an instance's log by ID, when its plugin keeps one; quoted in the failure.</param>
    /// <remarks>
    /// With <paramref name="stillThere"/> (the IDs its plugin still describes), an instance that failed its probe and is
    /// no longer described has exited: the wait fails at once, quoting its log, instead of at the deadline.
    /// </remarks>
    public async Task WaitHealthyAsync(string colour, IReadOnlyList<MemberView> members, HealthSpec health, IDeployEvents events, CancellationToken cancellationToken,
        Func<string, string?>? logTail = null, Func<CancellationToken, Task<IReadOnlyCollection<string>>>? stillThere = null)
    {
        var clock = Stopwatch.StartNew();
        var streak = members.ToDictionary(m => m.Id, _ => 0);
        var last = members.ToDictionary(m => m.Id, _ => new ProbeResult(0, "", "not probed yet"));
        while (true)
        {
            foreach (var m in members.Where(m => streak[m.Id] < health.HealthyThreshold))
            {
                if (m.Endpoint is null)
                {
                    throw new DeployException(Errors.Refused, $"instance {m.Id} of {colour} has no endpoint to probe; remove Health from the spec or use a plugin with endpoints");
                }

                var result = await ProbeAsync(m.Endpoint.Url(health.Path), health.Timeout, cancellationToken);
                last[m.Id] = result;
                streak[m.Id] = result.IsSuccess ? streak[m.Id] + 1 : 0;
            }

            if (streak.Values.All(s => s >= health.HealthyThreshold))
            {
                events.Info($"{colour}: {members.Count} of {members.Count} instances healthy ({health.HealthyThreshold} probes in a row)");
                return;
            }

            if (stillThere is not null && members.Any(m => last[m.Id].Error is not null))
            {
                var present = await stillThere(cancellationToken);
                if (members.FirstOrDefault(m => last[m.Id].Error is not null && !present.Contains(m.Id)) is { } gone)
                {
                    throw new DeployException(Errors.NotQuiescent,
                        $"{colour} instance {gone.Id} ({gone.Endpoint}) exited before it became healthy; the live colour was not touched" +
                        (logTail?.Invoke(gone.Id) is { } tail ? $"; the instance's log ends:\n{tail}" : ""));
                }
            }

            if (clock.Elapsed >= health.Deadline)
            {
                var failing = members.First(m => streak[m.Id] < health.HealthyThreshold);
                throw new DeployException(Errors.NotQuiescent,
                    $"{colour} did not become healthy within {Duration.Format(health.Deadline)}: instance {failing.Id} ({failing.Endpoint}) " +
                    $"GET {health.Path} last answered {last[failing.Id]}; the live colour was not touched" +
                    (logTail?.Invoke(failing.Id) is { } log ? $"; the instance's log ends:\n{log}" : ""));
            }

            await Task.Delay(health.Interval, cancellationToken);
        }
    }

    /// <summary>Checks each instance directly; throws naming the first that does not answer as Verify requires.</summary>
    public async Task VerifyEachAsync(string colour, IReadOnlyList<MemberView> members, VerifySpec verify, CancellationToken cancellationToken)
    {
        foreach (var m in members)
        {
            var result = await ProbeAsync(m.Endpoint!.Url(verify.Path), TimeSpan.FromSeconds(5), cancellationToken);
            if (Mismatch(result, verify) is { } why)
            {
                throw new DeployException(Errors.Refused,
                    $"verify failed on {colour} instance {m.Id} ({m.Endpoint}): GET {verify.Path} {why}; the live colour was not touched");
            }
        }
    }

    /// <summary>
    /// Requests <paramref name="url"/> through the proxy for <see cref="VerifySpec.Duration"/>; returns the first failure
    /// (after one retry on a fresh connection), or null when every response was as expected.
    /// </summary>
    public async Task<string?> VerifyThroughProxyAsync(string url, VerifySpec verify, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var target = url.TrimEnd('/') + verify.Path;
        var count = 0;
        while (clock.Elapsed < verify.Duration)
        {
            var result = await ProbeAsync(target, TimeSpan.FromSeconds(5), cancellationToken);
            if (Mismatch(result, verify) is not null)
            {
                result = await ProbeAsync(target, TimeSpan.FromSeconds(5), cancellationToken);
            }

            if (Mismatch(result, verify) is { } why)
            {
                return $"GET {target} {why} after {clock.ElapsedMilliseconds} ms ({count} good responses before)";
            }

            count++;
            await Task.Delay(50, cancellationToken);
        }

        return null;
    }

    /// <summary>Why a response does not satisfy <paramref name="verify"/>, or null when it does.</summary>
    public static string? Mismatch(ProbeResult result, VerifySpec verify) =>
        !result.IsSuccess ? $"answered {result}"
        : verify.Expect is { } expect && result.Body != expect.Trim() ? $"answered \"{result.Body}\", expected \"{expect.Trim()}\""
        : verify.Contains is { } contains && !result.Body.Contains(contains, StringComparison.Ordinal) ? $"answered \"{result.Body}\", which does not contain \"{contains}\""
        : null;

    public void Dispose() => _http.Dispose();
}

/// <summary>One probe's answer: status 0 with Error when there was no HTTP answer.</summary>
public sealed record ProbeResult(int Status, string Body, string? Error)
{
    /// <summary>True for a 2xx answer.</summary>
    public bool IsSuccess => Status is >= 200 and < 300;

    public override string ToString() => Error is not null ? $"no HTTP answer ({Error})" : $"{Status} \"{Body}\"";
}
