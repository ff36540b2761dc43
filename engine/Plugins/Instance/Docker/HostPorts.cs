using System.Net;
using System.Net.Sockets;
using Deploy.Engine.Diagnostics;
using Deploy.Engine.Docker;
using Docker.DotNet.Models;

namespace Deploy.Engine.Plugins.Instance.Docker;

/// <summary>Chooses the host port of a new instance: one in the range that no container of Deploy's holds on that engine.</summary>
internal static class HostPorts
{
    /// <summary>
    /// A port of <paramref name="properties"/>' range held by no container labelled with an endpoint (in any state: a
    /// stopped one comes back with its port on the engine's restart). On an engine of this machine (a unix socket) the
    /// port must also be free to bind now, so a port some other program holds is skipped.
    /// </summary>
    public static async Task<int> FreeAsync(DockerEngines engines, DockerHostAddress host, DockerProperties properties, CancellationToken cancellationToken)
    {
        var taken = await engines.RunAsync(host, "listing the host ports of Deploy's containers", async client =>
        {
            var containers = await client.Containers.ListContainersAsync(new ContainersListParameters
            {
                All = true,
                Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [ContainerLabels.Endpoint] = true } },
            }, cancellationToken);
            return containers.Select(c => ContainerLabels.EndpointOf(c.Labels)?.Port).OfType<int>().ToHashSet();
        }, cancellationToken);

        var local = host.Scheme == "unix";
        var address = properties.UsesHostNetwork ? IPAddress.Loopback : IPAddress.Parse(properties.Ports.HostIp);
        var (from, to) = (properties.Ports.HostFrom, properties.Ports.HostTo);
        for (var port = from; port <= to; port++)
        {
            if (!taken.Contains(port) && (!local || LocalPorts.CanBind(address, port)))
            {
                return port;
            }
        }

        var held = taken.Count(p => p >= from && p <= to);
        throw new DeployException(Errors.PluginFailed,
            $"no free host port between {from} and {to} on the Docker engine at {host} ({held} held by Deploy's containers); widen Ports.Host or destroy instances");
    }
}
