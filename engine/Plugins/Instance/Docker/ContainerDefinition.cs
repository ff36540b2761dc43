using System.Globalization;
using Docker.DotNet.Models;

namespace Deploy.Engine.Plugins.Instance.Docker;

/// <summary>
/// What Docker is asked to create for one instance: <see cref="DockerProperties"/> with the instance's host port filled
/// in. Pure, so what a container will be is decided apart from the calls that make it.
/// </summary>
internal static class ContainerDefinition
{
    /// <summary>Where the instance on <paramref name="port"/> answers: loopback on the host network, else the published address.</summary>
    public static Endpoint EndpointFor(DockerProperties properties, int port) =>
        new("http", properties.UsesHostNetwork ? DockerPorts.DefaultHostIp : properties.Ports.EndpointHost, port);

    /// <summary>The instance's variables, <c>{{port}}</c> replaced.</summary>
    public static Dictionary<string, string> Env(DockerProperties properties, int port) =>
        properties.Env.ToDictionary(e => e.Key, e => DockerProperties.WithPort(e.Value, port), StringComparer.Ordinal);

    /// <summary>The names of the variables whose values hold one of <paramref name="secrets"/>.</summary>
    public static IEnumerable<string> SecretVariables(IReadOnlyDictionary<string, string> env, IReadOnlyCollection<string> secrets) =>
        env.Where(e => secrets.Any(s => s.Length > 0 && e.Value.Contains(s, StringComparison.Ordinal))).Select(e => e.Key);

    /// <summary>The create request of container <paramref name="name"/> on host port <paramref name="port"/>.</summary>
    public static CreateContainerParameters Create(DockerProperties properties, string name, int port, IDictionary<string, string> labels)
    {
        var hostConfig = new HostConfig
        {
            NetworkMode = properties.Network,
            RestartPolicy = new RestartPolicy { Name = RestartKind(properties.RestartPolicy) },
            Binds = properties.Mounts.ToList(),
        };
        IDictionary<string, EmptyStruct>? exposed = null;
        if (!properties.UsesHostNetwork && properties.Ports.Container is { } containerPort)
        {
            var key = containerPort.ToString(CultureInfo.InvariantCulture) + "/tcp";
            exposed = new Dictionary<string, EmptyStruct> { [key] = default };
            hostConfig.PortBindings = new Dictionary<string, IList<PortBinding>>
            {
                [key] = [new PortBinding { HostIP = properties.Ports.HostIp, HostPort = port.ToString(CultureInfo.InvariantCulture) }],
            };
        }

        return new CreateContainerParameters
        {
            Name = name,
            Image = properties.Image.Text,
            Cmd = properties.Command?.Select(a => DockerProperties.WithPort(a, port)).ToList()!, // null: the image's own
            Env = Env(properties, port).Select(e => $"{e.Key}={e.Value}").ToList(),
            Labels = labels,
            ExposedPorts = exposed,
            StopTimeout = properties.StopTimeout,
            Healthcheck = properties.Healthcheck?.ToConfig(port),
            HostConfig = hostConfig,
        };
    }

    private static RestartPolicyKind RestartKind(string policy) => policy switch
    {
        "no" => RestartPolicyKind.No,
        "always" => RestartPolicyKind.Always,
        "on-failure" => RestartPolicyKind.OnFailure,
        _ => RestartPolicyKind.UnlessStopped,
    };
}
