using Deploy.Engine.Commands;
using Deploy.Engine.Plugins.Flavor;
using Deploy.Engine.Plugins.Group.Swarm;
using Deploy.Engine.Plugins.Instance;
using Deploy.Engine.Plugins.Instance.Docker;
using Deploy.Engine.Plugins.Instance.Process;
using Deploy.Engine.Plugins.Proxy;
using Deploy.Engine.Plugins.Proxy.File;
using Deploy.Engine.Plugins.Proxy.HAProxy;
using Deploy.Engine.Plugins.Proxy.Nginx;
using Deploy.Engine.Plugins.Socket;

namespace Deploy.Engine.Plugins;

/// <summary>The one place where the built-in plugins, and the folder of external plugins' sockets, are wired.</summary>
public static class PluginCatalog
{
    /// <summary>
    /// The built-in plugins, plus any <paramref name="extraInstances"/> (tests and benchmarks add the memory plugin), and
    /// the external plugins whose sockets are in the folder the context's environment names (<see cref="PluginSockets.From"/>).
    /// </summary>
    public static PluginRegistry Create(PluginContext context, params IInstancePlugin[] extraInstances)
    {
        var runner = new CommandRunner();
        return new(
            [new FileInstancePlugin(context.FileDirectory, context.Events), new ProcessInstancePlugin(context.StateDirectory, context.Events),
             new DockerInstancePlugin(context.Docker, context.Events), .. extraInstances],
            [new VanillaFlavor()],
            [new FileProxyPlugin(), new NginxProxyPlugin(runner, context.Docker), new HAProxyProxyPlugin(runner, context.Docker)],
            [new SwarmGroupPlugin(context.Docker, context.Events)],
            PluginSockets.From(context.Environment));
    }
}
