using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Deploy.Tests.Action;

/// <summary>
/// A small GitHub Enterprise Server stand-in on 127.0.0.1 that keeps state Prism does not: deployments, their
/// statuses and issue comments. Serves <c>/api/v3/…</c> only, records every request, and checks each against GitHub's
/// OpenAPI description (<see cref="OpenApiSchemas"/>). <see cref="FailNext"/> and <see cref="RefuseAll"/> inject faults.
/// </summary>
public sealed partial class RecordingGitHubServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private readonly List<RecordedRequest> _requests = [];
    private readonly List<string> _violations = [];
    private readonly List<JsonObject> _deployments = [];
    private readonly Dictionary<long, List<JsonObject>> _statuses = [];
    private readonly List<JsonObject> _comments = [];
    private readonly Task _loop;
    private int _failNext;
    private long _nextId = 100;

    public RecordingGitHubServer()
    {
        _listener.Start();
        _loop = AcceptAsync();
    }

    /// <summary>The value for GITHUB_API_URL, shaped like GitHub Enterprise Server's.</summary>
    public string ApiUrl => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/api/v3";

    /// <summary>Answers the next N requests with 502.</summary>
    public int FailNext { set { lock (_gate) { _failNext = value; } } }

    /// <summary>Answers every request with 403, as GitHub does for a fork's read-only token.</summary>
    public bool RefuseAll { get; set; }

    /// <summary>Every request in order.</summary>
    public IReadOnlyList<RecordedRequest> Requests { get { lock (_gate) { return _requests.ToList(); } } }

    /// <summary>Every way a request broke GitHub's published API, or the expected /api/v3 prefix.</summary>
    public IReadOnlyList<string> Violations { get { lock (_gate) { return _violations.ToList(); } } }

    /// <summary>Deployments as created, oldest first.</summary>
    public IReadOnlyList<JsonObject> Deployments { get { lock (_gate) { return _deployments.Select(d => (JsonObject)d.DeepClone()).ToList(); } } }

    /// <summary>The states a deployment went through, in order.</summary>
    public IReadOnlyList<string> States(long deployment) { lock (_gate) { return _statuses.GetValueOrDefault(deployment, []).Select(s => (string)s["state"]!).ToList(); } }

    /// <summary>The statuses of a deployment, in order.</summary>
    public IReadOnlyList<JsonObject> Statuses(long deployment) { lock (_gate) { return _statuses.GetValueOrDefault(deployment, []).Select(s => (JsonObject)s.DeepClone()).ToList(); } }

    /// <summary>Comments, oldest first.</summary>
    public IReadOnlyList<JsonObject> Comments { get { lock (_gate) { return _comments.Select(c => (JsonObject)c.DeepClone()).ToList(); } } }

    /// <summary>Adds a comment someone else wrote.</summary>
    public void AddComment(int issue, string body)
    {
        lock (_gate)
        {
            _comments.Add(new JsonObject { ["id"] = _nextId++, ["issue"] = issue, ["body"] = body });
        }
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            _ = ServeAsync(client);
        }
    }

    // HTTP/1.1 with keep-alive: Content-Length bodies, one request after another on the connection.
    private async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        var stream = client.GetStream();
        var reader = new BufferedReader(stream);
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var requestLine = await reader.ReadLineAsync(_stop.Token);
                if (string.IsNullOrEmpty(requestLine))
                {
                    return;
                }

                var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                for (var line = await reader.ReadLineAsync(_stop.Token); !string.IsNullOrEmpty(line); line = await reader.ReadLineAsync(_stop.Token))
                {
                    var colon = line.IndexOf(':');
                    headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
                }

                var length = headers.TryGetValue("Content-Length", out var l) ? int.Parse(l) : 0;
                var body = length > 0 ? Encoding.UTF8.GetString(await reader.ReadBytesAsync(length, _stop.Token)) : null;
                var parts = requestLine.Split(' ');
                var (status, response) = Handle(parts[0], parts[1], headers, body);
                var bytes = Encoding.UTF8.GetBytes(response);
                var head = $"HTTP/1.1 {status} {(HttpStatusCode)status}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: {bytes.Length}\r\n" +
                           "X-RateLimit-Limit: 5000\r\nX-RateLimit-Remaining: 4999\r\nX-RateLimit-Reset: 4102444800\r\n\r\n";
                await stream.WriteAsync(Encoding.ASCII.GetBytes(head), _stop.Token);
                await stream.WriteAsync(bytes, _stop.Token);
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or SocketException)
        {
        }
    }

    private (int Status, string Body) Handle(string method, string target, IReadOnlyDictionary<string, string> headers, string? body)
    {
        var path = target.Split('?')[0];
        var query = target.Contains('?') ? target[(target.IndexOf('?') + 1)..] : "";
        lock (_gate)
        {
            _requests.Add(new RecordedRequest(method, target, headers.GetValueOrDefault("Authorization"), body));
            if (!path.StartsWith("/api/v3/", StringComparison.Ordinal) || path.StartsWith("/api/v3/api/v3", StringComparison.Ordinal))
            {
                _violations.Add($"{method} {target}: not under /api/v3/ exactly once");
                return (404, """{"message":"Not Found"}""");
            }

            path = path["/api/v3".Length..];
            _violations.AddRange(OpenApiSchemas.Instance.Check(method, path, body));
            if (RefuseAll)
            {
                return (403, """{"message":"Resource not accessible by integration"}""");
            }

            if (_failNext > 0)
            {
                _failNext--;
                return (502, """{"message":"Server Error"}""");
            }

            return Route(method, path, query, body is null ? null : JsonNode.Parse(body)!.AsObject());
        }
    }

    private (int, string) Route(string method, string path, string query, JsonObject? body)
    {
        if (DeploymentsPath().Match(path) is { Success: true } && method == "POST")
        {
            var d = new JsonObject
            {
                ["id"] = _nextId++, ["sha"] = body!["ref"]!.GetValue<string>(), ["ref"] = body["ref"]!.GetValue<string>(),
                ["environment"] = body["environment"]?.GetValue<string>() ?? "production", ["task"] = body["task"]?.GetValue<string>() ?? "deploy",
                ["payload"] = body["payload"]?.DeepClone() ?? new JsonObject(), ["description"] = body["description"]?.GetValue<string>(),
                ["auto_merge"] = body["auto_merge"]?.DeepClone(), ["required_contexts"] = body["required_contexts"]?.DeepClone(),
                ["created_at"] = DateTimeOffset.UtcNow.ToString("O"), ["updated_at"] = DateTimeOffset.UtcNow.ToString("O"),
            };
            _deployments.Add(d);
            return (201, d.ToJsonString());
        }

        if (DeploymentsPath().Match(path) is { Success: true } && method == "GET")
        {
            var environment = Regex.Match(query, "(?:^|&)environment=([^&]*)").Groups[1].Value;
            var list = _deployments.Where(d => environment == "" || (string)d["environment"]! == Uri.UnescapeDataString(environment)).Reverse();
            return (200, new JsonArray(list.Select(d => (JsonNode)d.DeepClone()).ToArray()).ToJsonString());
        }

        if (StatusesPath().Match(path) is { Success: true } s)
        {
            var id = long.Parse(s.Groups["id"].Value);
            var list = _statuses.TryGetValue(id, out var l) ? l : _statuses[id] = [];
            if (method == "POST")
            {
                var status = new JsonObject
                {
                    ["id"] = _nextId++, ["state"] = body!["state"]!.GetValue<string>(), ["description"] = body["description"]?.GetValue<string>(),
                    ["environment_url"] = body["environment_url"]?.GetValue<string>(), ["log_url"] = body["log_url"]?.GetValue<string>(),
                    ["auto_inactive"] = body["auto_inactive"]?.DeepClone(),
                    ["created_at"] = DateTimeOffset.UtcNow.ToString("O"), ["updated_at"] = DateTimeOffset.UtcNow.ToString("O"),
                };
                list.Add(status);
                return (201, status.ToJsonString());
            }

            return (200, new JsonArray(list.AsEnumerable().Reverse().Select(x => (JsonNode)x.DeepClone()).ToArray()).ToJsonString());
        }

        if (IssueCommentsPath().Match(path) is { Success: true } c)
        {
            var issue = int.Parse(c.Groups["n"].Value);
            if (method == "POST")
            {
                var comment = new JsonObject { ["id"] = _nextId++, ["issue"] = issue, ["body"] = body!["body"]!.GetValue<string>() };
                _comments.Add(comment);
                return (201, comment.ToJsonString());
            }

            return (200, new JsonArray(_comments.Where(x => (int)x["issue"]! == issue).Select(x => (JsonNode)x.DeepClone()).ToArray()).ToJsonString());
        }

        if (CommentPath().Match(path) is { Success: true } e && method == "PATCH")
        {
            var comment = _comments.FirstOrDefault(x => (long)x["id"]! == long.Parse(e.Groups["id"].Value));
            if (comment is null)
            {
                return (404, """{"message":"Not Found"}""");
            }

            comment["body"] = body!["body"]!.GetValue<string>();
            return (200, comment.ToJsonString());
        }

        return (404, """{"message":"Not Found"}""");
    }

    [GeneratedRegex("^/repos/[^/]+/[^/]+/deployments$")]
    private static partial Regex DeploymentsPath();

    [GeneratedRegex("^/repos/[^/]+/[^/]+/deployments/(?<id>[0-9]+)/statuses$")]
    private static partial Regex StatusesPath();

    [GeneratedRegex("^/repos/[^/]+/[^/]+/issues/(?<n>[0-9]+)/comments$")]
    private static partial Regex IssueCommentsPath();

    [GeneratedRegex("^/repos/[^/]+/[^/]+/issues/comments/(?<id>[0-9]+)$")]
    private static partial Regex CommentPath();

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        await _loop;
        _stop.Dispose();
    }

    // Reads CRLF lines and then exact byte counts from the same buffered stream.
    private sealed class BufferedReader(Stream stream)
    {
        private readonly byte[] _buffer = new byte[16384];
        private int _start;
        private int _end;

        public async Task<string?> ReadLineAsync(CancellationToken ct)
        {
            var line = new List<byte>();
            while (true)
            {
                if (_start == _end && !await FillAsync(ct))
                {
                    return line.Count == 0 ? null : Encoding.ASCII.GetString(line.ToArray());
                }

                var b = _buffer[_start++];
                if (b == '\n')
                {
                    return Encoding.ASCII.GetString(line.ToArray()).TrimEnd('\r');
                }

                line.Add(b);
            }
        }

        public async Task<byte[]> ReadBytesAsync(int count, CancellationToken ct)
        {
            var result = new byte[count];
            var done = 0;
            while (done < count)
            {
                if (_start == _end && !await FillAsync(ct))
                {
                    throw new IOException("connection closed inside a body");
                }

                var n = Math.Min(count - done, _end - _start);
                Array.Copy(_buffer, _start, result, done, n);
                _start += n;
                done += n;
            }

            return result;
        }

        private async Task<bool> FillAsync(CancellationToken ct)
        {
            _start = 0;
            _end = await stream.ReadAsync(_buffer, ct);
            return _end > 0;
        }
    }
}

/// <summary>One request the recording server received: method, path with query, Authorization header, body.</summary>
public sealed record RecordedRequest(string Method, string Target, string? Authorization, string? Body);
