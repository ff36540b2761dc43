using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Deploy.Engine.Diagnostics;

namespace Deploy.Engine.Plugins.Socket;

/// <summary>
/// InfraKit's transport: HTTP/1.1 over the plugin's unix socket, always <c>POST http://&lt;plugin&gt;/&lt;Path&gt;</c> with a
/// JSON body. Every call has a deadline, so a plugin that stopped answering fails the command instead of hanging it.
/// Every failure is a <see cref="DeployException"/> (DEPLOY3003, exit 1) naming the plugin, its socket and the call.
/// </summary>
public sealed class SocketRpc : IDisposable
{
    /// <summary>For calls that only read or check (Validate, DescribeInstances, Healthy, Destroy, Current).</summary>
    public static readonly TimeSpan Quick = TimeSpan.FromSeconds(10);

    /// <summary>For calls that create something (Provision: a machine may take minutes to boot).</summary>
    public static readonly TimeSpan Slow = TimeSpan.FromMinutes(5);

    /// <summary>For a proxy's Apply: writing, testing and reloading a configuration.</summary>
    public static readonly TimeSpan Apply = TimeSpan.FromMinutes(1);

    private readonly HttpClient _http;

    // The URL's host is only a label (the socket is dialled whatever it says): the plugin's name where it is a valid
    // host name, else InfraKit's own "socket".
    private readonly string _host;

    /// <summary>A client of the plugin <paramref name="plugin"/> listening on <paramref name="socketPath"/>.</summary>
    public SocketRpc(string plugin, string socketPath)
    {
        Plugin = plugin;
        SocketPath = socketPath;
        _host = Uri.CheckHostName(plugin) == UriHostNameType.Dns ? plugin : "socket";
        var handler = new SocketsHttpHandler
        {
            // A dead plugin's stale socket refuses at once; one that accepts but never answers is caught by the call's deadline.
            ConnectTimeout = Quick,
            // A plugin restarted on the same path must not be reached through a pooled connection to the old process.
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(2),
            ConnectCallback = async (_, ct) =>
            {
                var socket = new System.Net.Sockets.Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), ct);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        _http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>The plugin's name (the socket's file name).</summary>
    public string Plugin { get; }

    /// <summary>The socket's full path.</summary>
    public string SocketPath { get; }

    /// <summary>
    /// Posts <paramref name="body"/> (serialized as JSON; null sends no body) to <paramref name="path"/> and returns the
    /// status and body, whatever the status. Throws when the plugin cannot be reached or does not answer within <paramref name="timeout"/>.
    /// </summary>
    public async Task<RpcAnswer> SendAsync(string path, object? body, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"http://{_host}{path}");
        if (body is not null)
        {
            request.Content = new StringContent(JsonSerializer.Serialize(body, body.GetType()), Encoding.UTF8, "application/json");
        }

        try
        {
            using var response = await _http.SendAsync(request, deadline.Token);
            return new RpcAnswer((int)response.StatusCode, await response.Content.ReadAsStringAsync(deadline.Token));
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw Failed(path, $"did not answer within {Spec.Duration.Format(timeout)}",
                "check that the plugin is not stuck (its log says what it was doing); Deploy stopped at this call, and running the command again once the plugin answers converges (instances are found again by their tags)");
        }
        catch (HttpRequestException e) when (e.InnerException is SocketException s)
        {
            var why = s.SocketErrorCode == SocketError.ConnectionRefused ? "connection refused: nothing listens on the socket" : s.Message;
            throw Failed(path, $"could not be reached ({why})",
                "start the plugin, or remove its socket file if the plugin was stopped (a stale socket refuses connections)");
        }
        catch (HttpRequestException e)
        {
            throw Failed(path, $"dropped the connection before answering ({e.InnerException?.Message ?? e.Message})",
                "the plugin may have crashed: check its log and restart it, then run the command again (what the call did, if anything, is found again by its tags)");
        }
    }

    /// <summary>
    /// Posts and returns the 200 answer parsed as <typeparamref name="T"/> (default when the body is empty). A plugin's
    /// error (400/500 <c>{"error": ...}</c>) or another status throws, quoting the plugin; so does an answer that is not valid JSON.
    /// </summary>
    public async Task<T?> CallAsync<T>(string path, object? body, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var answer = await SendAsync(path, body, timeout, cancellationToken);
        if (answer.Status != 200)
        {
            throw Failed(path, answer.Describe(), "the plugin's own message says what went wrong; fix that, then run the command again");
        }

        return Parse<T>(path, answer.Body);
    }

    /// <summary><see cref="CallAsync{T}"/> for a synchronous caller (validation); the deadline applies the same way.</summary>
    public T? Call<T>(string path, object? body, TimeSpan timeout) =>
        Task.Run(() => CallAsync<T>(path, body, timeout, CancellationToken.None)).GetAwaiter().GetResult();

    /// <summary><see cref="SendAsync"/> for a synchronous caller (validation).</summary>
    public RpcAnswer Send(string path, object? body, TimeSpan timeout) =>
        Task.Run(() => SendAsync(path, body, timeout, CancellationToken.None)).GetAwaiter().GetResult();

    /// <summary>The answer's body parsed as <typeparamref name="T"/>; default for an empty body; throws naming the call when malformed.</summary>
    public T? Parse<T>(string path, string body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return default;
        }

        try
        {
            return JsonSerializer.Deserialize<T>(body);
        }
        catch (JsonException e)
        {
            throw Failed(path, $"answered with malformed JSON ({e.Message}): {RpcAnswer.Clip(body)}",
                "the plugin does not speak InfraKit's protocol for this call (see README, External plugins); fix or update the plugin");
        }
    }

    /// <summary>A failure of the call to <paramref name="path"/>: what happened, where (plugin and socket) and what to do.</summary>
    public DeployException Failed(string path, string what, string fix) =>
        new(Errors.PluginFailed, $"plugin {Plugin} (socket {SocketPath}) {what}, calling {path}; {fix}");

    public void Dispose() => _http.Dispose();
}

/// <summary>A plugin's HTTP answer: the status and the body text.</summary>
public sealed record RpcAnswer(int Status, string Body)
{
    /// <summary>
    /// The plugin's error as InfraKit's client shows it: the <c>error</c> field's message, quoted, for 400 and 500;
    /// <c>error:&lt;status&gt;, msg=&lt;body&gt;</c> for any other status.
    /// </summary>
    public string Describe() =>
        Status is 400 or 500 && ErrorMessage() is { } message
            ? $"failed: \"{message}\""
            : $"failed: error:{Status}, msg={Clip(Body)}";

    /// <summary>The <c>error</c> field of a <c>{"error": "..."}</c> body, or null.</summary>
    public string? ErrorMessage()
    {
        try
        {
            using var doc = JsonDocument.Parse(Body);
            return doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.String
                ? e.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>At most 200 characters of <paramref name="body"/>, on one line: enough to recognise, never a page.</summary>
    public static string Clip(string body)
    {
        var line = body.ReplaceLineEndings(" ").Trim();
        return line.Length <= 200 ? line : line[..200] + "...";
    }
}
