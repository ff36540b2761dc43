using Deploy.Engine.Plugins.Flavor;
using Deploy.Engine.Plugins.Instance;
using Deploy.Engine.Plugins.Proxy;

namespace Deploy.Engine.Plugins;

/// <summary>The one place where the built-in plugins are wired.</summary>
public static class PluginCatalog
{
    /// <summary>The built-in plugins, plus any <paramref name="extraInstances"/> (tests and benchmarks add the memory plugin).</summary>
    public static PluginRegistry Create(PluginContext context, params IInstancePlugin[] extraInstances) =>
        new(
            [new FileInstancePlugin(context.FileDirectory, context.Events), .. extraInstances],
            [new VanillaFlavor()],
            Array.Empty<IProxyPlugin>());
}
