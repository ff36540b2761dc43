using System.Collections.Concurrent;
using System.Net.Http;
using System.Net.Sockets;
using Deploy.Engine.Diagnostics;
using Docker.DotNet;

namespace Deploy.Engine.Docker;

/// <summary>
/// One Docker client per engine address, each speaking the API version its engine serves: the newest this client knows,
/// lowered to the engine's own (Docker 20.10 serves API 1.41). The first call to an engine that cannot be reached fails
/// with a sentence naming the address.
/// </summary>
public sealed class DockerEngines : IDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<Task<DockerClient>>> _clients = new(StringComparer.Ordinal);

    /// <summary>A connected client for <paramref name="host"/>; the same one for every call with that address.</summary>
    public Task<DockerClient> ConnectAsync(DockerHostAddress host, CancellationToken cancellationToken)
    {
        var lazy = _clients.GetOrAdd(host.ToString(), _ => new Lazy<Task<DockerClient>>(() => NegotiateAsync(host)));
        var task = lazy.Value;
        if (task.IsFaulted || task.IsCanceled)
        {
            // A failed connection is not remembered: the next call (e.g. serve's next pass) tries again.
            _clients.TryRemove(new KeyValuePair<string, Lazy<Task<DockerClient>>>(host.ToString(), lazy));
        }

        return task.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// Runs <paramref name="call"/> against <paramref name="host"/>; an engine that cannot be reached, or that answers
    /// with an error, becomes a <see cref="DeployException"/> whose sentence says what was being done and where.
    /// </summary>
    public async Task<T> RunAsync<T>(DockerHostAddress host, string doing, Func<DockerClient, Task<T>> call, CancellationToken cancellationToken)
    {
        var client = await ConnectAsync(host, cancellationToken);
        try
        {
            return await call(client);
        }
        catch (Exception e) when (Unreachable(e) && !cancellationToken.IsCancellationRequested)
        {
            throw NotReached(host, e);
        }
        catch (DockerApiException e)
        {
            throw new DeployException(Errors.PluginFailed, $"{doing} on the Docker engine at {host} failed: {Reason(e)}");
        }
    }

    /// <summary>The engine's own message from an API error, without the client's wrapping.</summary>
    public static string Reason(DockerApiException e)
    {
        var body = e.ResponseBody ?? "";
        try
        {
            using var doc = System.Text.Json.JsonDocument.Parse(body);
            if (doc.RootElement.TryGetProperty("message", out var message))
            {
                return $"{message.GetString()} ({(int)e.StatusCode})";
            }
        }
        catch (System.Text.Json.JsonException)
        {
        }

        return $"{body.Trim()} ({(int)e.StatusCode})";
    }

    private static async Task<DockerClient> NegotiateAsync(DockerHostAddress host)
    {
        using var probe = new DockerClientBuilder().WithEndpoint(host.Uri).WithTimeout(TimeSpan.FromSeconds(10)).Build();
        global::Docker.DotNet.Models.VersionResponse version;
        try
        {
            version = await probe.System.GetVersionAsync();
        }
        catch (Exception e) when (Unreachable(e))
        {
            throw NotReached(host, e);
        }

        var engine = System.Version.Parse(version.APIVersion);
        return new DockerClientBuilder().WithEndpoint(host.Uri).WithApiVersion(engine).WithTimeout(TimeSpan.FromMinutes(10)).Build();
    }

    private static bool Unreachable(Exception e) =>
        e is HttpRequestException or SocketException or IOException or TimeoutException
        || e is TaskCanceledException { InnerException: TimeoutException }
        || e.InnerException is { } inner && Unreachable(inner);

    private static DeployException NotReached(DockerHostAddress host, Exception e)
    {
        var reason = host.Scheme == "unix" && !File.Exists(host.Path) ? $"there is no socket at {host.Path}" : e.InnerException?.Message ?? e.Message;
        return new DeployException(Errors.PluginFailed,
            $"cannot reach the Docker engine at {host}: {reason}; check that dockerd runs there and that this user may use its socket (set Host or DOCKER_HOST)");
    }

    public void Dispose()
    {
        foreach (var lazy in _clients.Values.Where(l => l.IsValueCreated && l.Value.IsCompletedSuccessfully))
        {
            lazy.Value.Result.Dispose();
        }

        _clients.Clear();
    }
}
