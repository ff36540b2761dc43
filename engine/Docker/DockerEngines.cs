using System.Collections.Concurrent;
using System.Net.Http;
using System.Net.Sockets;
using Deploy.Engine.Diagnostics;
using Deploy.Engine.Docker.Ssh;
using Deploy.Engine.Docker.Tls;
using Docker.DotNet;

namespace Deploy.Engine.Docker;

/// <summary>
/// One Docker client per engine address, each speaking the API version its engine serves: the newest this client knows,
/// lowered to the engine's own (Docker 20.10 serves API 1.41). The first call to an engine that cannot be reached fails
/// with a sentence naming the address. Engines are reached over a unix socket, TCP with mutual TLS, or SSH.
/// </summary>
public sealed class DockerEngines : IDisposable
{
    private readonly ConcurrentDictionary<DockerHostAddress, Lazy<Task<DockerClient>>> _clients = new();
    private readonly ConcurrentDictionary<DockerHostAddress, SshSessions> _ssh = new();
    private readonly ConcurrentDictionary<DockerHostAddress, TlsCredentials> _tls = new();

    /// <summary>A connected client for <paramref name="host"/>; the same one for every call with that address and credentials.</summary>
    public Task<DockerClient> ConnectAsync(DockerHostAddress host, CancellationToken cancellationToken)
    {
        var lazy = _clients.GetOrAdd(host, _ => new Lazy<Task<DockerClient>>(() => NegotiateAsync(host)));
        var task = lazy.Value;
        if (task.IsFaulted || task.IsCanceled)
        {
            // A failed connection is not remembered: the next call (e.g. serve's next pass) tries again.
            _clients.TryRemove(new KeyValuePair<DockerHostAddress, Lazy<Task<DockerClient>>>(host, lazy));
            _tls.TryRemove(host, out _);
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
        catch (DeployException)
        {
            throw; // the call's own sentence (e.g. a pull the registry refused)
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

    private async Task<DockerClient> NegotiateAsync(DockerHostAddress host)
    {
        global::Docker.DotNet.Models.VersionResponse version;
        using (var probe = Build(host, null, TimeSpan.FromSeconds(15)))
        {
            try
            {
                version = await probe.System.GetVersionAsync();
            }
            catch (Exception e) when (Unreachable(e) || e is DockerApiException)
            {
                throw NotReached(host, e);
            }
        }

        return Build(host, System.Version.Parse(version.APIVersion), TimeSpan.FromMinutes(10));
    }

    // The transport each scheme needs: the unix socket, TCP with the TLS credentials, or SSH exec channels.
    private DockerClient Build(DockerHostAddress host, System.Version? api, TimeSpan timeout)
    {
        var builder = new DockerClientBuilder().WithEndpoint(host.Uri).WithTimeout(timeout);
        if (api is not null)
        {
            builder = builder.WithApiVersion(api);
        }

        if (host.Tls is { } tls)
        {
            builder = builder.WithAuthProvider(_tls.GetOrAdd(host, _ => TlsCredentials.Load(tls)).Credentials);
        }

        if (host.Ssh is not { } ssh)
        {
            return builder.Build();
        }

        // .NET's own HTTP/1.1 client over SSH channels: it keeps each channel open for the next request (keep-alive),
        // so a call costs one round trip, not a new channel and a new dial-stdio process (about 100 ms each).
        var sessions = _ssh.GetOrAdd(host, _ => new SshSessions(ssh, host.ToString()));
        var overSsh = new DockerClientBuilder().WithEndpoint(SshSessions.Endpoint).WithTimeout(timeout);
        overSsh = api is null ? overSsh : overSsh.WithApiVersion(api);
        return overSsh.WithTransportOptions(new global::Docker.DotNet.NativeHttp.NativeHttpTransportOptions
            {
                ConfigureHandler = handler =>
                {
                    handler.ConnectCallback = async (_, cancellationToken) => await sessions.DialAsync(cancellationToken);
                    handler.PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30);
                },
            })
            .Build();
    }

    private static bool Unreachable(Exception e) =>
        e is HttpRequestException or SocketException or IOException or TimeoutException or DeployException
            or System.Security.Authentication.AuthenticationException
        || e is TaskCanceledException { InnerException: TimeoutException }
        || e.InnerException is { } inner && Unreachable(inner);

    private DeployException NotReached(DockerHostAddress host, Exception e)
    {
        if (Chain(e).OfType<DeployException>().FirstOrDefault() is { } told)
        {
            return told;
        }

        var reason = host.Scheme switch
        {
            "unix" when !File.Exists(host.Path) => $"there is no socket at {host.Path}",
            "tcp" when _tls.TryGetValue(host, out var tls) && tls.Refusal is { } refusal => refusal,
            "tcp" when host.Tls is not null && Chain(e).Any(x => x is System.Security.Authentication.AuthenticationException || x.Message.Contains("SSL", StringComparison.Ordinal)) =>
                $"the TLS handshake failed ({Innermost(e).Message}); the engine refuses a client certificate that is not signed by its --tlscacert: check Tls ({host.Tls})",
            "tcp" when host.Tls is not null && Innermost(e) is IOException =>
                $"the engine closed the TLS connection ({Innermost(e).Message}); it refuses a client certificate that is not signed by its --tlscacert: check Tls ({host.Tls})",
            _ => Innermost(e).Message,
        };
        var check = host.Scheme switch
        {
            "ssh" => "check that dockerd runs there and that the SSH user may use its socket",
            "tcp" => "check that dockerd listens there (-H tcp://...) with the TLS settings you expect",
            _ => "check that dockerd runs there and that this user may use its socket (set Host or DOCKER_HOST)",
        };
        return new DeployException(Errors.PluginFailed, $"cannot reach the Docker engine at {host}: {reason}; {check}");
    }

    private static IEnumerable<Exception> Chain(Exception e)
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
        {
            yield return x;
        }
    }

    private static Exception Innermost(Exception e) => Chain(e).Last();

    public void Dispose()
    {
        foreach (var lazy in _clients.Values.Where(l => l.IsValueCreated && l.Value.IsCompletedSuccessfully))
        {
            lazy.Value.Result.Dispose();
        }

        _clients.Clear();
        foreach (var sessions in _ssh.Values)
        {
            sessions.Dispose();
        }

        _ssh.Clear();
    }
}
