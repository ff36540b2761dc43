using Deploy.Engine.Events;
using Deploy.Engine.Groups;
using Deploy.Engine.Plugins;
using Deploy.Engine.Plugins.Flavor;
using Deploy.Engine.Plugins.Instance;
using Deploy.Engine.Plugins.Proxy;

namespace Deploy.Tests.Support;

/// <summary>A group service over the memory plugin in a temp state folder: the engine, for real, without files for instances.</summary>
public sealed class EngineHarness : IDisposable
{
    private readonly TempDir _dir = new();

    public EngineHarness()
    {
        Memory = new MemoryInstancePlugin();
        Counting = new CountingInstancePlugin(Memory);
        var options = new EngineOptions(System.IO.Path.Combine(_dir.Path, "state"))
        {
            Events = Events,
            PollInterval = TimeSpan.FromMilliseconds(20),
        };
        var plugins = new PluginRegistry(
            [Counting, new FileInstancePlugin(System.IO.Path.Combine(_dir.Path, "files"), Events)],
            [new VanillaFlavor(), new HealthFromPropertiesFlavor(Memory)],
            Array.Empty<IProxyPlugin>(),
            [Orchestrator]);
        Groups = new GroupService(options, plugins);
    }

    public MemoryInstancePlugin Memory { get; }

    /// <summary>The in-memory orchestrator (<c>group-memory</c>) for orchestrated groups.</summary>
    public MemoryGroupPlugin Orchestrator { get; } = new();

    /// <summary>The memory plugin as the engine sees it, noting the fewest and most instances after each change.</summary>
    public CountingInstancePlugin Counting { get; }

    public RecordingEvents Events { get; } = new();

    public GroupService Groups { get; }

    public string Spec(string json, string name = "group.json") => _dir.Write(name, json);

    public void Dispose() => _dir.Dispose();
}
