using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using Deploy.Tests.Support;

namespace Deploy.Tests.Fixtures;

/// <summary>
/// tests/Fixtures/infrakit_instance_plugin.py run as a separate python3 process, listening on
/// <c>&lt;folder&gt;/&lt;name&gt;</c>; its instances are mirrored to a state file the test reads. Stopped (SIGTERM,
/// which removes its socket) on dispose.
/// </summary>
public sealed class InfraKitPythonPlugin : IAsyncDisposable
{
    /// <summary>The fixture script in the repository.</summary>
    public static string Script => Path.Combine(Repo.Root, "tests", "Fixtures", "infrakit_instance_plugin.py");

    private readonly Process _process;
    private readonly StringBuilder _log = new();
    private readonly Lock _gate = new();

    private InfraKitPythonPlugin(Process process, string socketPath, string stateFile)
    {
        _process = process;
        SocketPath = socketPath;
        StateFile = stateFile;
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_gate) _log.AppendLine(e.Data); };
        _process.BeginErrorReadLine();
    }

    /// <summary>The socket the plugin listens on; its file name is the plugin's name.</summary>
    public string SocketPath { get; }

    /// <summary>The JSON file mirroring the plugin's instances.</summary>
    public string StateFile { get; }

    /// <summary>What the plugin logged (one line per request received and answered).</summary>
    public string Log { get { lock (_gate) return _log.ToString(); } }

    /// <summary>
    /// Starts the plugin named <paramref name="name"/> in <paramref name="pluginsDir"/> with the test knobs in
    /// <paramref name="knobs"/> (PLUGIN_DELAY, PLUGIN_MALFORMED, ...; see the script) and waits until it listens.
    /// </summary>
    public static async Task<InfraKitPythonPlugin> StartAsync(string pluginsDir, string name = "instance-python", IReadOnlyDictionary<string, string>? knobs = null)
    {
        Directory.CreateDirectory(pluginsDir);
        var socket = Path.Combine(pluginsDir, name);
        var state = Path.Combine(Path.GetDirectoryName(pluginsDir)!, $"{name}-state.json");
        var info = new ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "-u", Script, "--socket", socket, "--state", state })
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var (k, v) in knobs ?? new Dictionary<string, string>())
        {
            info.Environment[k] = v;
        }

        var plugin = new InfraKitPythonPlugin(Process.Start(info)!, socket, state);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var ready = await plugin._process.StandardOutput.ReadLineAsync(timeout.Token);
        ready.ShouldNotBeNull($"the python plugin did not start:\n{plugin.Log}");
        ready.ShouldStartWith("listening on ");
        return plugin;
    }

    /// <summary>The instances the plugin holds now: ID → {ID, LogicalID, Tags, Spec, Endpoint}.</summary>
    public IReadOnlyDictionary<string, JsonNode> Instances() =>
        JsonNode.Parse(File.ReadAllText(StateFile))!["instances"]!.AsObject().ToDictionary(p => p.Key, p => p.Value!);

    /// <summary>The tags of every instance the plugin holds.</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, string>> InstanceTags() =>
        Instances().Values.Select(i => (IReadOnlyDictionary<string, string>)i["Tags"]!.AsObject().ToDictionary(t => t.Key, t => t.Value!.GetValue<string>())).ToList();

    /// <summary>Waits until the plugin has logged <paramref name="text"/> (e.g. a request it received).</summary>
    public async Task WaitForLogAsync(string text, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (!Log.Contains(text, StringComparison.Ordinal))
        {
            DateTime.UtcNow.ShouldBeLessThan(until, $"the plugin never logged \"{text}\":\n{Log}");
            await Task.Delay(50);
        }
    }

    /// <summary>SIGKILL, as a crash would: the socket file stays behind with nothing listening.</summary>
    public void Kill()
    {
        _process.Kill();
        _process.WaitForExit();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            Native.Kill(_process.Id, 15);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await _process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill();
            }
        }

        _process.Dispose();
    }
}
