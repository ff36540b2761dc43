using Deploy.Engine.Events;
using Deploy.Engine.Plugins;
using Deploy.Engine.Plugins.Instance;
using Deploy.Engine.Plugins.Socket;
using Deploy.Tests.Support;

namespace Deploy.Tests.Plugins.Socket;

/// <summary>Discovery of external plugins: sockets in the folder the environment names, built-ins first.</summary>
public sealed class PluginSocketsTests : IDisposable
{
    private readonly TempDir _dir = new();

    private string PluginsDir => Path.Combine(_dir.Path, "plugins");

    [Fact]
    public void From_DirectoryVariableSet_UsesIt()
    {
        PluginSockets.From(n => n == "INFRAKIT_PLUGINS_DIR" ? PluginsDir : null).Directory.ShouldBe(PluginsDir);
    }

    [Fact]
    public void From_NoVariable_HomeInfrakitPlugins()
    {
        PluginSockets.From(n => n == "HOME" ? "/home/ann" : null).Directory.ShouldBe("/home/ann/.infrakit/plugins");
    }

    [Fact]
    public void List_SocketsAndOtherFiles_OnlySocketsNamedAfterTheirFile()
    {
        using var a = DeadSocket.Create(Path.Combine(PluginsDir, "instance-a"));
        using var b = DeadSocket.Create(Path.Combine(PluginsDir, "flavor-b"));
        _dir.Write("plugins/readme.txt", "x");
        Directory.CreateDirectory(Path.Combine(PluginsDir, "sub"));
        var sockets = new PluginSockets(PluginsDir);

        sockets.List().ShouldBe([("flavor-b", b.Path), ("instance-a", a.Path)]);
        sockets.Find("instance-a").ShouldBe(a.Path);
        sockets.Find("readme.txt").ShouldBeNull();
        sockets.Find("../plugins/instance-a").ShouldBeNull();
    }

    [Fact]
    public void List_MissingFolder_Empty()
    {
        new PluginSockets(Path.Combine(_dir.Path, "nowhere")).List().ShouldBeEmpty();
    }

    [Fact]
    public void FindInstance_SocketNamedLikeABuiltIn_TheBuiltInWins()
    {
        using var shadow = DeadSocket.Create(Path.Combine(PluginsDir, "instance-file"));
        using var external = DeadSocket.Create(Path.Combine(PluginsDir, "instance-ext"));
        var plugins = PluginCatalog.Create(new PluginContext(_dir.Path, _dir.Path, NullEvents.Instance)
        {
            Environment = n => n == PluginSockets.DirectoryVariable ? PluginsDir : null,
        });

        plugins.FindInstance("instance-file").ShouldBeOfType<FileInstancePlugin>();
        plugins.FindInstance("instance-ext").ShouldBeOfType<SocketInstancePlugin>();
        plugins.FindFlavor("instance-ext").ShouldBeOfType<SocketFlavorPlugin>();
        plugins.FindInstance("instance-none").ShouldBeNull();
        plugins.List().Single(p => p.Name == "instance-file" && p.Listen is not null).Shadowed.ShouldBeTrue();
    }

    public void Dispose() => _dir.Dispose();
}
