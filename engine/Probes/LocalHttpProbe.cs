using Deploy.Engine.Spec;

namespace Deploy.Engine.Probes;

/// <summary>Probes from this machine, with a client that opens a new connection for every request.</summary>
public sealed class LocalHttpProbe : IHttpProbe, IDisposable
{
    private readonly HttpClient _http = new(new SocketsHttpHandler
    {
        PooledConnectionLifetime = TimeSpan.Zero,
        AllowAutoRedirect = false,
        UseProxy = false,
    });

    /// <inheritdoc />
    public string Where => "this machine";

    /// <inheritdoc />
    public async Task<ProbeResult> GetAsync(string url, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        try
        {
            using var response = await _http.GetAsync(url, cts.Token);
            return new ProbeResult((int)response.StatusCode, ProbeResult.Clip(await response.Content.ReadAsStringAsync(cts.Token)), null);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return new ProbeResult(0, "", e is TaskCanceledException ? $"no answer within {Duration.Format(timeout)}" : e.Message);
        }
    }

    public void Dispose() => _http.Dispose();
}
