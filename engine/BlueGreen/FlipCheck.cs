using System.Diagnostics;
using Deploy.Engine.Apps;
using Deploy.Engine.Groups;
using Deploy.Engine.Probes;
using Deploy.Engine.Spec;

namespace Deploy.Engine.BlueGreen;

/// <summary>
/// Sees a flip take effect through the proxy itself, wherever it runs: after the reload, the proxy's URL must answer
/// like the colour just routed to, on fresh connections, several times in a row over at least <see cref="StreakSpan"/>,
/// before anything judges the flip.
/// Old workers of a reloaded proxy keep accepting for a moment; a streak on new connections outlasts them.
/// </summary>
public sealed class FlipCheck(HttpChecks http, TimeSpan? limit = null)
{
    /// <summary>How long a reload may take to show by default; a stuck or failed one ends in a clear error.</summary>
    public static readonly TimeSpan DefaultLimit = TimeSpan.FromSeconds(15);

    private TimeSpan Limit => limit ?? DefaultLimit;

    /// <summary>Answers in a row, each on a new connection, that count as the flip being in effect.</summary>
    public const int Streak = 5;

    /// <summary>
    /// The least time the streak must span. On a loaded machine a reloaded proxy's old workers can take a few hundred
    /// milliseconds to handle the signal; five quick answers from new workers do not prove that no old one still accepts.
    /// </summary>
    public static readonly TimeSpan StreakSpan = TimeSpan.FromMilliseconds(300);

    /// <summary>
    /// While the proxy answers otherwise, how often the routed colour's own instances are asked again: when none of them
    /// answers as it did any more (a version that breaks right after the flip), the check fails at once. Waiting out
    /// the limit instead would leave the broken colour routed for that long, past a proxy's passive checks (nginx
    /// lets a shunned server take one request again after its fail_timeout, and a POST is not passed on).
    /// </summary>
    public static readonly TimeSpan LookAgainEvery = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// Waits until <paramref name="proxyUrl"/> answers as <paramref name="colour"/>'s instances do. The answer compared
    /// is the Verify path's (the proxy URL's own path without Verify); with <paramref name="verify"/>, the routed colour's own
    /// answer must satisfy it (a rollback passes none). Returns null once in effect, else why not.
    /// </summary>
    public async Task<string?> WaitAsync(Uri proxyUrl, string colour, IReadOnlyList<MemberView> routed, IReadOnlyList<MemberView> previous,
        VerifySpec? verify, CancellationToken ct)
    {
        var path = verify?.Path ?? proxyUrl.PathAndQuery;
        var target = verify is null ? proxyUrl.ToString() : proxyUrl.ToString().TrimEnd('/') + verify.Path;
        var expected = await AnswersOfAsync(routed, path, ct);
        if (expected.Count == 0)
        {
            return $"none of {colour}'s instances answered GET {path}";
        }

        if (verify is not null && expected.Select(e => HttpChecks.Mismatch(e, verify)).FirstOrDefault(w => w is not null) is { } wrong)
        {
            return $"{colour}'s instances themselves {wrong} at {path}";
        }

        // An app whose answer changes from one request to the next (a clock, a counter) can only be told by its status.
        var again = await http.ProbeAsync(routed.First(m => m.Endpoint is not null).Endpoint!.Url(path), TimeSpan.FromSeconds(5), ct);
        var stable = Same(again, expected[0]);
        var before = await AnswersOfAsync(previous, path, ct);
        var clock = Stopwatch.StartNew();
        var streak = 0;
        var streakStart = TimeSpan.Zero;
        var lookedAgain = TimeSpan.Zero;
        ProbeResult? last = null;
        while (clock.Elapsed < Limit)
        {
            last = await http.ProbeAsync(target, TimeSpan.FromSeconds(5), ct);
            streak = Matches(last, expected, before, verify, stable) ? streak + 1 : 0;
            if (streak == 1)
            {
                streakStart = clock.Elapsed;
            }

            if (streak == 0 && clock.Elapsed - lookedAgain >= LookAgainEvery)
            {
                lookedAgain = clock.Elapsed;
                if (await BrokenSinceAsync(routed, path, expected, verify, stable, ct) is { } now)
                {
                    return $"{colour}'s instances themselves now answer {now} at {path} (they answered {expected[0]}); the proxy answered {last}";
                }
            }

            if (streak >= Streak && clock.Elapsed - streakStart >= StreakSpan)
            {
                return null;
            }

            await Task.Delay(streak > 0 ? 5 : 20, ct);
        }

        return $"{target} did not answer from {colour} within {Duration.Format(Limit)} of the reload (last answer: {last}; " +
               $"{colour}'s instances answer {expected[0]})";
    }

    // Null while one of the routed instances still answers as before the flip (or with Verify, satisfies it); else what
    // the first of them answers now.
    private async Task<ProbeResult?> BrokenSinceAsync(IReadOnlyList<MemberView> routed, string path, List<ProbeResult> expected, VerifySpec? verify,
        bool stable, CancellationToken ct)
    {
        ProbeResult? first = null;
        foreach (var m in routed.Where(m => m.Endpoint is not null))
        {
            var answer = await http.ProbeAsync(m.Endpoint!.Url(path), TimeSpan.FromSeconds(5), ct);
            var asBefore = answer.Error is null && (verify is not null
                ? HttpChecks.Mismatch(answer, verify) is null
                : stable ? expected.Any(e => Same(answer, e)) : answer.Status == expected[0].Status);
            if (asBefore)
            {
                return null;
            }

            first ??= answer;
        }

        return first;
    }

    // Each instance's own answer at the path (those that gave one), as the proxy should relay it once the flip is in effect.
    private async Task<List<ProbeResult>> AnswersOfAsync(IReadOnlyList<MemberView> members, string path, CancellationToken ct)
    {
        var answers = new List<ProbeResult>();
        foreach (var m in members.Where(m => m.Endpoint is not null))
        {
            var answer = await http.ProbeAsync(m.Endpoint!.Url(path), TimeSpan.FromSeconds(5), ct);
            if (answer.Error is null)
            {
                answers.Add(answer);
            }
        }

        return answers;
    }

    // From the routed colour when the answer is what one of its instances says (and, with Verify, satisfies it). When
    // the two colours answer alike, nothing tells them apart and any such answer counts: either colour serves the same.
    private static bool Matches(ProbeResult answer, List<ProbeResult> expected, List<ProbeResult> before, VerifySpec? verify, bool stable)
    {
        if (answer.Error is not null)
        {
            return false;
        }

        if (verify is not null && HttpChecks.Mismatch(answer, verify) is null)
        {
            return before.Count == 0 || before.All(b => HttpChecks.Mismatch(b, verify) is not null) || expected.Any(e => Same(answer, e));
        }

        return stable ? expected.Any(e => Same(answer, e)) : answer.Status == expected[0].Status;
    }

    private static bool Same(ProbeResult a, ProbeResult b) => a.Status == b.Status && a.Body == b.Body;
}
