using System.Net;
using Octokit;

namespace Deploy.Action.GitHub;

/// <summary>
/// Retries a GitHub call on 5xx answers, rate limits and network failures, waiting BaseDelay, 2×, 4×… (at most
/// MaxDelay, or the reset time GitHub gives); other answers are final. Default: 3 attempts, 1 s base, 30 s cap.
/// </summary>
internal sealed record RetryPolicy(int Attempts = 3, TimeSpan? BaseDelay = null, TimeSpan? MaxDelay = null)
{
    private TimeSpan Base => BaseDelay ?? TimeSpan.FromSeconds(1);
    private TimeSpan Max => MaxDelay ?? TimeSpan.FromSeconds(30);

    /// <summary>Runs <paramref name="call"/>; <paramref name="what"/> names it in messages ("create deployment").</summary>
    public async Task<T> RunAsync<T>(string what, Func<Task<T>> call, Action<string> log, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await call();
            }
            catch (Exception e) when (Transient(e, out var wait) && attempt < Attempts)
            {
                var delay = wait ?? TimeSpan.FromTicks(Base.Ticks << (attempt - 1));
                delay = delay > Max ? Max : delay;
                log($"GitHub {what}: {Describe(e)}; retrying in {delay.TotalSeconds:0.#}s (attempt {attempt + 1} of {Attempts})");
                await Task.Delay(delay, ct);
            }
            catch (Exception e) when (e is ApiException or HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
            {
                throw new GitHubUnavailableException($"GitHub {what}: {Describe(e)}", e);
            }
        }
    }

    /// <summary>One line saying what GitHub answered, without echoing headers or request details.</summary>
    public static string Describe(Exception e) => e switch
    {
        RateLimitExceededException r => $"rate limit exceeded until {r.Reset:u}",
        ApiException a => $"{(int)a.StatusCode} {a.StatusCode}: {FirstLine(a.Message)}",
        HttpRequestException h => $"unreachable ({FirstLine(h.Message)})",
        TaskCanceledException => "timed out",
        _ => FirstLine(e.Message),
    };

    private static bool Transient(Exception e, out TimeSpan? wait)
    {
        wait = null;
        switch (e)
        {
            case RateLimitExceededException r:
                wait = r.Reset - DateTimeOffset.UtcNow;
                wait = wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
                return true;
            case SecondaryRateLimitExceededException:
                return true;
            case ApiException a:
                return (int)a.StatusCode >= 500 || a.StatusCode == HttpStatusCode.TooManyRequests;
            case HttpRequestException:
            case TaskCanceledException:
                return true;
            default:
                return false;
        }
    }

    private static string FirstLine(string text) => text.Split('\n')[0].Trim();
}
