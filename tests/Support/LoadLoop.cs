using System.Collections.Concurrent;

namespace Deploy.Tests.Support;

/// <summary>
/// Concurrent keep-alive clients sending GETs and, when <c>postEvery</c> is set, a share of non-idempotent
/// <c>POST /counter</c> requests with unique <c>X-Request-Id</c>s, until stopped. A request counts as failed only if
/// it also fails once retried on a fresh connection after <see cref="RetryDelay"/>, which is what browsers and
/// HttpClient do when a reload closes a reused one, and what a resilience policy does after a 5xx (a backoff before
/// its retry; Microsoft.Extensions.Http.Resilience waits 2 s by default). The pause matters after a flip to a version
/// that starts failing: nginx shuns a failing live server only after a request it may pass on (a GET) failed there,
/// never after a POST, so a POST and an immediate retry can both reach it in the same millisecond. The retry of a POST re-sends the same id, so a proxy that replayed it shows as an id applied twice in
/// the app's counter file (<see cref="ReplayedPosts"/>). Bounded: it stops by itself after <c>maxDuration</c>.
/// </summary>
public sealed class LoadLoop : IAsyncDisposable
{
    /// <summary>The header POST /counter reads its id from.</summary>
    public const string RequestIdHeader = "X-Request-Id";

    /// <summary>How long a client waits before its one retry: far less than any real client's backoff.</summary>
    public static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(200);

    private readonly CancellationTokenSource _stop;
    private readonly List<Task> _clients = [];
    private readonly ConcurrentQueue<string> _failures = new();
    private readonly ConcurrentDictionary<string, int> _bodies = new();
    private readonly ConcurrentQueue<string> _acknowledged = new();
    private readonly string[] _lastPhaseDone;
    private readonly string _run = Guid.NewGuid().ToString("N")[..8];
    private long _requests;
    private long _posts;
    private string _phase = "";

    /// <param name="url">The proxy's root; POSTs go to <c>/counter</c> under it.</param>
    /// <param name="clients">Concurrent keep-alive clients.</param>
    /// <param name="maxDuration">When the loop stops by itself (default 5 minutes).</param>
    /// <param name="postEvery">Every Nth request of each client is a POST (0: GETs only).</param>
    /// <param name="phase">The first <see cref="Phase"/> label.</param>
    public LoadLoop(Uri url, int clients = 8, TimeSpan? maxDuration = null, int postEvery = 0, string phase = "")
    {
        _phase = phase;
        _stop = new CancellationTokenSource(maxDuration ?? TimeSpan.FromMinutes(5));
        _lastPhaseDone = new string[clients];
        for (var i = 0; i < clients; i++)
        {
            var client = i;
            _clients.Add(Task.Run(() => ClientAsync(client, url, postEvery)));
        }
    }

    /// <summary>Requests sent so far (retries not counted), POSTs included.</summary>
    public long Requests => Interlocked.Read(ref _requests);

    /// <summary>POSTs sent so far (retries not counted).</summary>
    public long Posts => Interlocked.Read(ref _posts);

    /// <summary>The ids of POSTs answered 200 (on the first try or the retry).</summary>
    public IReadOnlyList<string> AcknowledgedPosts => _acknowledged.ToList();

    /// <summary>Requests that failed even after their retry, with why.</summary>
    public IReadOnlyList<string> Failures => _failures.ToList();

    /// <summary>GET bodies seen, each keyed by the phase label current when it was sent.</summary>
    public IReadOnlyDictionary<string, int> Bodies => _bodies;

    /// <summary>Labels requests from now on (e.g. which deploy is running).</summary>
    public string Phase { get => Volatile.Read(ref _phase); set => Volatile.Write(ref _phase, value); }

    /// <summary>Waits (bounded) until every client has finished a request sent during <paramref name="phase"/>.</summary>
    public async Task WaitForEveryClientAsync(string phase, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while (Enumerable.Range(0, _lastPhaseDone.Length).Any(i => Volatile.Read(ref _lastPhaseDone[i]) != phase))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"not every client finished a request in phase \"{phase}\" within {limit}");
            }

            await Task.Delay(20);
        }
    }

    /// <summary>The ids that appear more than once in <paramref name="counterFile"/>, with their counts.</summary>
    public static IReadOnlyList<string> ReplayedPosts(string counterFile) =>
        Lines(counterFile).GroupBy(id => id).Where(g => g.Count() > 1).Select(g => $"{g.Key} applied {g.Count()} times").ToList();

    /// <summary>The ids answered 200 that are missing from <paramref name="counterFile"/>: an acknowledged POST that was lost.</summary>
    public IReadOnlyList<string> LostPosts(string counterFile) => AcknowledgedPosts.Except(Lines(counterFile)).ToList();

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_clients);
    }

    private async Task ClientAsync(int client, Uri url, int postEvery)
    {
        var counter = new Uri(url, "/counter");
        using var keepAlive = new HttpClient(new SocketsHttpHandler { PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5), UseProxy = false }) { Timeout = TimeSpan.FromSeconds(10) };
        for (var n = 1L; !_stop.IsCancellationRequested; n++)
        {
            Interlocked.Increment(ref _requests);
            var phase = Phase;
            var id = postEvery > 0 && n % postEvery == 0 ? $"{_run}-{client}-{n}" : null;
            if (id is not null)
            {
                Interlocked.Increment(ref _posts);
            }

            var (body, error) = await SendAsync(keepAlive, url, counter, id);
            if (error is not null)
            {
                await Task.Delay(RetryDelay, CancellationToken.None);
                using var fresh = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.Zero, UseProxy = false }) { Timeout = TimeSpan.FromSeconds(10) };
                (body, var retryError) = await SendAsync(fresh, url, counter, id);
                if (retryError is not null)
                {
                    if (_stop.IsCancellationRequested)
                    {
                        return;
                    }

                    _failures.Enqueue($"{DateTime.UtcNow:HH:mm:ss.fff} [{phase}] {(id is null ? "GET" : "POST " + id)}: {error} / retry: {retryError}");
                    Volatile.Write(ref _lastPhaseDone[client], phase);
                    continue;
                }
            }

            if (id is null)
            {
                _bodies.AddOrUpdate($"{phase}|{body}", 1, (_, count) => count + 1);
            }
            else
            {
                _acknowledged.Enqueue(id);
            }

            Volatile.Write(ref _lastPhaseDone[client], phase);
        }
    }

    // A GET of url, or with an id a POST to /counter carrying it; the body, or why it failed.
    private async Task<(string Body, string? Error)> SendAsync(HttpClient client, Uri url, Uri counter, string? id)
    {
        try
        {
            using var request = id is null ? new HttpRequestMessage(HttpMethod.Get, url) : new HttpRequestMessage(HttpMethod.Post, counter);
            if (id is not null)
            {
                request.Headers.Add(RequestIdHeader, id);
            }

            using var response = await client.SendAsync(request, _stop.Token);
            var body = (await response.Content.ReadAsStringAsync(_stop.Token)).Trim();
            return response.IsSuccessStatusCode ? (body, null) : ("", $"{(int)response.StatusCode} {body}");
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
        {
            return ("", e.GetType().Name + ": " + e.Message);
        }
    }

    private static IEnumerable<string> Lines(string file) =>
        File.Exists(file) ? File.ReadLines(file).Where(line => line.Length > 0) : [];

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
    }
}
