using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Deploy.Tests.Support;

namespace Deploy.Tests.Plugins.Server;

/// <summary>
/// A real <c>deploy plugin serve --dir &lt;temp&gt;/plugins</c> process with its own state and instance folders, and plain
/// HTTP/1.1 clients on its unix sockets, as InfraKit's client dials them.
/// </summary>
public sealed class ServedPlugins : IAsyncDisposable
{
    /// <summary>The sockets a serve of the built-in plugins binds.</summary>
    public static readonly string[] Sockets = ["flavor-vanilla", "group", "instance-docker", "instance-file", "instance-process"];

    private readonly TempDir _dir = new();

    private ServedPlugins(string? fileDir)
    {
        FileDir = fileDir ?? Path.Combine(_dir.Path, "instances");
        Cli = new CliRunner(_dir.Path);
    }

    /// <summary>The plugin sockets' folder.</summary>
    public string PluginsDir => Path.Combine(_dir.Path, "plugins");

    /// <summary>instance-file's folder.</summary>
    public string FileDir { get; }

    /// <summary>The test's folder (the serve's working folder).</summary>
    public string Root => _dir.Path;

    /// <summary>The CLI, run in <see cref="Root"/>.</summary>
    public CliRunner Cli { get; }

    /// <summary>The running serve.</summary>
    public RunningCli Serve { get; private set; } = null!;

    /// <summary>The common options every CLI call here uses: the serve's state and instance folders.</summary>
    public string[] Options => ["--state", Path.Combine(Root, ".deploy"), "--file-dir", FileDir];

    /// <summary>Starts serve and waits until every socket answers; <paramref name="fileDir"/> overrides instance-file's folder.</summary>
    public static async Task<ServedPlugins> StartAsync(string? fileDir = null)
    {
        var served = new ServedPlugins(fileDir);
        await served.RestartAsync();
        return served;
    }

    /// <summary>Starts a new serve on the same folders (after the last one stopped or was killed) and waits for its sockets.</summary>
    public async Task RestartAsync()
    {
        if (Serve is { } previous)
        {
            await previous.DisposeAsync();
        }

        Serve = Cli.Start(["plugin", "serve", "--dir", PluginsDir, .. Options]);
        await WaitForSocketsAsync();
    }

    /// <summary>The instance files instance-file holds now.</summary>
    public string[] InstanceFiles => Directory.Exists(FileDir) ? Directory.GetFiles(FileDir, "instance-*") : [];

    /// <summary>Waits until every socket of <see cref="Sockets"/> accepts a connection (up to 60 s: dotnet starts slowly on a busy machine).</summary>
    public async Task WaitForSocketsAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!Sockets.All(s => Accepts(Path.Combine(PluginsDir, s))))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("plugin serve did not open its sockets:\n" + Serve.Output);
            }

            await Task.Delay(100);
        }
    }

    /// <summary>POSTs <paramref name="json"/> (or no body) to <paramref name="path"/> on socket <paramref name="socket"/>.</summary>
    public async Task<PluginAnswer> PostAsync(string socket, string path, string? json = null)
    {
        using var http = Client(Path.Combine(PluginsDir, socket));
        using var content = json is null ? null : new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await http.PostAsync(path, content);
        return new PluginAnswer((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>A plain HttpClient whose every connection dials the unix socket at <paramref name="socketPath"/>.</summary>
    public static HttpClient Client(string socketPath) =>
        new(new SocketsHttpHandler
        {
            ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new System.Net.Sockets.Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            },
        })
        {
            BaseAddress = new Uri("http://socket"),
            Timeout = TimeSpan.FromMinutes(3),
        };

    private static bool Accepts(string path)
    {
        if (!File.Exists(path))
        {
            return false;
        }

        using var socket = new System.Net.Sockets.Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Connect(new UnixDomainSocketEndPoint(path));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Serve.DisposeAsync();
        _dir.Dispose();
    }
}

/// <summary>A plugin socket's answer: status and body text.</summary>
public sealed record PluginAnswer(int Status, string Body)
{
    /// <summary>The body as JSON.</summary>
    public JsonElement Json => JsonDocument.Parse(Body).RootElement;

    /// <summary>The message of the <c>{"error": ...}</c> envelope.</summary>
    public string Error => Json.GetProperty("error").GetString()!;

    public override string ToString() => $"{Status} {Body}";
}
