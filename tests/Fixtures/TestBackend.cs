using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Deploy.Tests.Fixtures;

/// <summary>
/// A tiny HTTP/1.1 server on 127.0.0.1 for proxy tests: every request (health checks too) gets <see cref="Status"/>
/// with the body <see cref="Name"/>, so a test sees which backend answered. Keep-alive is supported.
/// </summary>
public sealed class TestBackend : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private int _requests;
    private string _name = "";

    private TestBackend(string name)
    {
        Name = name;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = AcceptAsync();
    }

    /// <summary>The body of every response, e.g. <c>blue-1</c>; a test may change it to play a proxy that reloads.</summary>
    public string Name { get => Volatile.Read(ref _name); set => Volatile.Write(ref _name, value); }

    /// <summary>The port it listens on (127.0.0.1).</summary>
    public int Port { get; }

    /// <summary>The endpoint as a route names it: <c>127.0.0.1:PORT</c>.</summary>
    public string Address => $"127.0.0.1:{Port}";

    /// <summary>The status code answered from now on; 200 unless a test sets e.g. 500 to make it fail.</summary>
    public int Status { get; set; } = 200;

    /// <summary>How many requests it has answered.</summary>
    public int Requests => Volatile.Read(ref _requests);

    /// <summary>Starts a backend named <paramref name="name"/> on a free port.</summary>
    public static TestBackend Start(string name) => new(name);

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        try
        {
            await _accepting;
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        try
        {
            var stream = client.GetStream();
            var reader = new StreamReader(stream, Encoding.ASCII);
            while (!_stop.IsCancellationRequested)
            {
                var requestLine = await reader.ReadLineAsync(_stop.Token);
                if (string.IsNullOrEmpty(requestLine))
                {
                    return;
                }

                var close = false;
                string? header;
                while (!string.IsNullOrEmpty(header = await reader.ReadLineAsync(_stop.Token)))
                {
                    close |= header.StartsWith("Connection:", StringComparison.OrdinalIgnoreCase) && header.Contains("close", StringComparison.OrdinalIgnoreCase);
                }

                Interlocked.Increment(ref _requests);
                var body = Encoding.UTF8.GetBytes(Name);
                var head = $"HTTP/1.1 {Status} {(Status == 200 ? "OK" : "Error")}\r\nContent-Type: text/plain\r\nContent-Length: {body.Length}\r\n" +
                           $"Connection: {(close ? "close" : "keep-alive")}\r\n\r\n";
                await stream.WriteAsync(Encoding.ASCII.GetBytes(head), _stop.Token);
                await stream.WriteAsync(body, _stop.Token);
                if (close)
                {
                    return;
                }
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // The proxy or the test closed the connection.
        }
    }
}
