using System.Collections.Concurrent;
using System.Diagnostics;

namespace Deploy.Tests.Support;

/// <summary>
/// Concurrent keep-alive clients sending idempotent GETs until stopped. A request counts as failed only if it also
/// fails once retried on a fresh connection, which is what browsers and HttpClient do when a reload closes a reused one.
/// Bounded: it stops by itself after <c>maxDuration</c>.
/// </summary>
public sealed class LoadLoop : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop;
    private readonly List<Task> _clients = [];
    private readonly ConcurrentQueue<string> _failures = new();
    private readonly ConcurrentDictionary<string, int> _bodies = new();
    private long _requests;
    private string _phase = "";

    public LoadLoop(Uri url, int clients = 8, TimeSpan? maxDuration = null)
    {
        _stop = new CancellationTokenSource(maxDuration ?? TimeSpan.FromMinutes(5));
        for (var i = 0; i < clients; i++)
        {
            _clients.Add(Task.Run(() => ClientAsync(url)));
        }
    }

    /// <summary>Requests sent so far (retries not counted).</summary>
    public long Requests => Interlocked.Read(ref _requests);

    /// <summary>Requests that failed even after their retry, with why.</summary>
    public IReadOnlyList<string> Failures => _failures.ToList();

    /// <summary>Bodies seen, each keyed by the phase label current when it arrived.</summary>
    public IReadOnlyDictionary<string, int> Bodies => _bodies;

    /// <summary>Labels responses from now on (e.g. which deploy is running).</summary>
    public string Phase { get => Volatile.Read(ref _phase); set => Volatile.Write(ref _phase, value); }

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_clients);
    }

    private async Task ClientAsync(Uri url)
    {
        using var keepAlive = new HttpClient(new SocketsHttpHandler { PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5), UseProxy = false }) { Timeout = TimeSpan.FromSeconds(10) };
        while (!_stop.IsCancellationRequested)
        {
            Interlocked.Increment(ref _requests);
            var phase = Phase;
            var (body, error) = await GetAsync(keepAlive, url);
            if (error is not null)
            {
                using var fresh = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.Zero, UseProxy = false }) { Timeout = TimeSpan.FromSeconds(10) };
                (body, var retryError) = await GetAsync(fresh, url);
                if (retryError is not null)
                {
                    if (_stop.IsCancellationRequested)
                    {
                        return;
                    }

                    _failures.Enqueue($"{DateTime.UtcNow:HH:mm:ss.fff} [{phase}] {error} / retry: {retryError}");
                    continue;
                }
            }

            _bodies.AddOrUpdate($"{phase}|{body}", 1, (_, n) => n + 1);
        }
    }

    private async Task<(string Body, string? Error)> GetAsync(HttpClient client, Uri url)
    {
        try
        {
            using var response = await client.GetAsync(url, _stop.Token);
            var body = (await response.Content.ReadAsStringAsync(_stop.Token)).Trim();
            return response.IsSuccessStatusCode ? (body, null) : ("", $"{(int)response.StatusCode} {body}");
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
        {
            return ("", e.GetType().Name + ": " + e.Message);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
    }
}
