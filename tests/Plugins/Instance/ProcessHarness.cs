using System.Net;
using System.Text.Json;
using Deploy.Engine.Events;
using Deploy.Engine.Plugins.Instance;
using Deploy.Engine.Plugins.Instance.Process;
using Deploy.Tests.Support;
using Native = Deploy.Engine.Plugins.Instance.Process.Native;

namespace Deploy.Tests.Plugins.Instance;

/// <summary>A process plugin over a temp state folder; everything it provisioned is destroyed (or killed) on dispose.</summary>
internal sealed class ProcessHarness : IAsyncDisposable
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };
    private readonly List<string> _provisioned = [];

    public ProcessHarness()
    {
        Plugin = new ProcessInstancePlugin(State.Path, Events);
    }

    public TempDir State { get; } = new();

    public RecordingEvents Events { get; } = new();

    public ProcessInstancePlugin Plugin { get; }

    /// <summary>The plugin's properties as JSON, built from named arguments.</summary>
    public static JsonElement Props(
        IReadOnlyList<string> command, int from, int to,
        IReadOnlyDictionary<string, string>? env = null, string? stopTimeout = null, string? workingDirectory = null)
    {
        var props = new Dictionary<string, object> { ["Command"] = command, ["Ports"] = new { From = from, To = to } };
        if (env is not null) props["Env"] = env;
        if (stopTimeout is not null) props["StopTimeout"] = stopTimeout;
        if (workingDirectory is not null) props["WorkingDirectory"] = workingDirectory;
        return JsonSerializer.SerializeToElement(props);
    }

    /// <summary>Provisions with <paramref name="tags"/> and remembers the ID for clean-up.</summary>
    public async Task<string> ProvisionAsync(JsonElement properties, IReadOnlyDictionary<string, string>? tags = null)
    {
        var id = await Plugin.ProvisionAsync(new InstanceSpec(properties, tags ?? new Dictionary<string, string>()), CancellationToken.None);
        _provisioned.Add(id);
        return id;
    }

    /// <summary>Destroys <paramref name="id"/> on dispose too (for instances provisioned by another plugin object).</summary>
    public void Track(string id) => _provisioned.Add(id);

    public Task<IReadOnlyList<InstanceDescription>> DescribeAsync(IReadOnlyDictionary<string, string>? tags = null) =>
        Plugin.DescribeAsync(tags ?? new Dictionary<string, string>(), CancellationToken.None);

    /// <summary>The record the plugin keeps for <paramref name="id"/>, or null.</summary>
    public ProcessRecord? Record(string id) => new ProcessRecords(Plugin.Directory, NullEvents.Instance).Read(id);

    /// <summary>The record file's raw text, to check what reached the disk.</summary>
    public string RecordText(string id) => File.ReadAllText(Path.Combine(Plugin.Directory, id + ".json"));

    public int PidOf(string id) => Record(id)?.Pid ?? throw new InvalidOperationException($"{id} has no pid");

    /// <summary>True while <paramref name="pid"/> runs (exited children are collected first so they do not count).</summary>
    public static bool Running(int pid)
    {
        ProcessTable.Reap(pid);
        return ProcessTable.StartTime(pid) is not null;
    }

    /// <summary>GET with retries until the app accepts connections (a cold <c>dotnet</c> start takes a second or two).</summary>
    public static async Task<(HttpStatusCode Status, string Body)> GetAsync(string endpoint, string path, TimeSpan? wait = null)
    {
        var deadline = DateTime.UtcNow + (wait ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            try
            {
                using var response = await Http.GetAsync($"http://{endpoint}{path}");
                return (response.StatusCode, await response.Content.ReadAsStringAsync());
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }
    }

    /// <summary>True when nothing accepts connections on <paramref name="endpoint"/>.</summary>
    public static async Task<bool> RefusesAsync(string endpoint)
    {
        try
        {
            using var response = await Http.GetAsync($"http://{endpoint}/");
            return false;
        }
        catch (HttpRequestException)
        {
            return true;
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var id in _provisioned)
        {
            try
            {
                using var quick = new CancellationTokenSource(TimeSpan.FromSeconds(15));
                await Plugin.DestroyAsync(id, quick.Token);
            }
            finally
            {
                // Whatever happened above, no test leaves a process behind (found by its environment, so never a stranger).
                if (ProcessTable.FindByInstanceId(id) is { } pid)
                {
                    Native.kill(-pid, Native.SigKill);
                    Native.kill(pid, Native.SigKill);
                    ProcessTable.Reap(pid);
                }
            }
        }

        State.Dispose();
    }
}
