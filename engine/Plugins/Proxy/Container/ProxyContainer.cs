using System.Text.Json;
using System.Text.RegularExpressions;
using Deploy.Engine.Diagnostics;
using Deploy.Engine.Docker;
using Deploy.Engine.Spec;

namespace Deploy.Engine.Plugins.Proxy.Container;

/// <summary>
/// A proxy that runs in a container on a Docker host: its <c>Container</c>, <c>Host</c> and <c>Boot</c> properties,
/// validated. With it, the proxy's file is a path inside the container and its commands run there.
/// </summary>
/// <param name="Name">The container's name; required to run in a container.</param>
/// <param name="Host">The Docker engine: <c>Host</c>, else <c>DOCKER_HOST</c>, else the default socket.</param>
/// <param name="Boot">How <c>deploy proxy boot</c> creates the container when it is missing; optional.</param>
public sealed partial record ProxyContainer(string Name, DockerHostAddress Host, ProxyBootSettings? Boot)
{
    /// <summary>The property names this record reads, added to each proxy plugin's own.</summary>
    public static readonly string[] Known = ["Container", "Boot", .. DockerHostAddress.Fields];

    /// <summary>
    /// Reads <c>Container</c>, <c>Host</c> and <c>Boot</c> and checks them against the plugin's file property
    /// (<paramref name="fileProperty"/>, e.g. <c>UpstreamFile</c>, whose value is <paramref name="file"/>) and PidFile.
    /// Null when there is no <c>Container</c> (the proxy runs on this machine) or something is wrong (recorded in <paramref name="bag"/>).
    /// </summary>
    public static ProxyContainer? Read(JsonElement p, string path, DiagnosticBag bag, string fileProperty, string? file, string exampleFile)
    {
        var name = JsonReading.String(p, path, "Container", bag, required: false, "the name of the proxy's container, e.g. \"shop-proxy\"");
        var hasBoot = JsonReading.TryGet(p, "Boot", out var bootJson);
        if (name is null)
        {
            foreach (var (field, present) in DockerHostAddress.Fields.Select(f => (f, JsonReading.TryGet(p, f, out _))).Append(("Boot", hasBoot)))
            {
                if (present && !JsonReading.TryGet(p, "Container", out _))
                {
                    bag.Add(Errors.Conflict, JsonReading.ChildPath(p, path, field),
                        $"is used only with Container (the proxy's container); add \"Container\": \"NAME\", or remove {field} for a proxy on this machine");
                }
            }

            return null;
        }

        var before = bag.Items.Count;
        if (!ContainerName().IsMatch(name))
        {
            bag.Add(Errors.InvalidValue, JsonReading.ChildPath(p, path, "Container"),
                $"must be a container name: letters, digits, _ . and -, starting with a letter or digit (was \"{name}\"); e.g. \"shop-proxy\"");
        }

        if (file is not null && !file.StartsWith('/'))
        {
            bag.Add(Errors.InvalidValue, JsonReading.ChildPath(p, path, fileProperty),
                $"with Container, {fileProperty} is a path inside the container and must be absolute (was \"{file}\"); e.g. \"{exampleFile}\"");
        }

        if (JsonReading.TryGet(p, "PidFile", out _))
        {
            bag.Add(Errors.Conflict, JsonReading.ChildPath(p, path, "PidFile"),
                $"cannot be used with Container: it lets Deploy watch the proxy's worker processes on this machine, and this proxy runs in container \"{name}\"; remove PidFile");
        }

        var host = DockerHostAddress.Read(p, path, bag);
        var boot = hasBoot ? ProxyBootSettings.Read(bootJson, JsonReading.ChildPath(p, path, "Boot"), bag) : null;
        return bag.Items.Count > before ? null : new ProxyContainer(name, host!, boot);
    }

    /// <summary>Where the proxy runs, for messages: <c>container shop-proxy on unix:///var/run/docker.sock</c>.</summary>
    public override string ToString() => $"container {Name} on {Host}";

    // Docker's own rule for container names.
    [GeneratedRegex("^[a-zA-Z0-9][a-zA-Z0-9_.-]*$")]
    private static partial Regex ContainerName();
}
