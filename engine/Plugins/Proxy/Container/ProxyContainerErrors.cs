using System.Net;
using Deploy.Engine.Diagnostics;
using Docker.DotNet;

namespace Deploy.Engine.Plugins.Proxy.Container;

/// <summary>The sentences for a proxy container that is missing or stopped, which say how to start it.</summary>
public static class ProxyContainerErrors
{
    /// <summary>True when the engine answered that the container does not exist.</summary>
    public static bool IsMissing(DockerApiException e) =>
        e.StatusCode == HttpStatusCode.NotFound && (e.ResponseBody ?? "").Contains("No such container", StringComparison.OrdinalIgnoreCase);

    /// <summary>True when the engine refused an exec because the container does not run.</summary>
    public static bool IsNotRunning(DockerApiException e) =>
        e.StatusCode == HttpStatusCode.Conflict && (e.ResponseBody ?? "").Contains("not running", StringComparison.OrdinalIgnoreCase);

    /// <summary>The container does not exist on its engine.</summary>
    public static DeployException Missing(string plugin, ProxyContainer container) => new(Errors.PluginFailed,
        $"{plugin}: there is no container \"{container.Name}\" on the Docker engine at {container.Host}; " +
        "create and start it with 'deploy proxy boot SPEC' (from the proxy's Boot properties), or fix Container and Host in the proxy's properties");

    /// <summary>The container exists and does not run.</summary>
    public static DeployException NotRunning(string plugin, ProxyContainer container) => new(Errors.PluginFailed,
        $"{plugin}: the container \"{container.Name}\" on the Docker engine at {container.Host} is not running; start it with 'deploy proxy boot SPEC'");

    /// <summary>Runs <paramref name="call"/>, turning a missing or stopped container into its sentence.</summary>
    public static async Task<T> MapAsync<T>(string plugin, ProxyContainer container, Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (DockerApiException e) when (IsMissing(e))
        {
            throw Missing(plugin, container);
        }
        catch (DockerApiException e) when (IsNotRunning(e))
        {
            throw NotRunning(plugin, container);
        }
    }
}
