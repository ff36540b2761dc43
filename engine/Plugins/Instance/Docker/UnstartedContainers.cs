using System.Globalization;
using Deploy.Engine.Docker;
using Deploy.Engine.Events;
using Deploy.Engine.State;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace Deploy.Engine.Plugins.Instance.Docker;

/// <summary>
/// Containers created but never started: a provision in flight (its start follows within moments), or one whose
/// provisioner was killed between the create and the start. Neither is an instance yet, so describe leaves them out
/// (a group counting one would wait forever for it to become healthy); each still holds its host port. The
/// <c>deploy.provisioner</c> label names the process that created it, so one whose provisioner is dead is removed by
/// the next provision on that engine; one made from another machine, whose process cannot be checked, after <see cref="Grace"/>.
/// </summary>
internal static class UnstartedContainers
{
    /// <summary>
    /// The label naming the process that created the container: <c>PID@HOST@START@PIDNS</c> (start in Unix ms, the
    /// inode of its PID namespace); older releases wrote the first three only.
    /// </summary>
    public const string ProvisionerLabel = "deploy.provisioner";

    /// <summary>How long a never-started container whose provisioner cannot be checked is left to its provision.</summary>
    public static readonly TimeSpan Grace = TimeSpan.FromMinutes(1);

    /// <summary>True for a container the engine lists as created and never started.</summary>
    public static bool IsUnstarted(ContainerListResponse container) => container.State == "created";

    /// <summary>The label value for <paramref name="owner"/>.</summary>
    public static string LabelOf(ProcessOwner owner) =>
        $"{owner.Pid}@{owner.Host}@{owner.ProcessStart?.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture) ?? ""}@{owner.PidNamespace}";

    /// <summary>
    /// Removes this plugin's never-started containers on <paramref name="host"/> whose provisioner is dead, or older
    /// than <see cref="Grace"/> when it cannot be told. Calling it twice removes nothing more.
    /// </summary>
    public static Task CollectAsync(DockerEngines engines, DockerHostAddress host, string plugin, IDeployEvents events, CancellationToken ct) =>
        engines.RunAsync(host, "removing containers whose provision was cut short", async client =>
        {
            var created = await client.Containers.ListContainersAsync(new ContainersListParameters
            {
                All = true,
                Filters = new Dictionary<string, IDictionary<string, bool>>
                {
                    ["label"] = new Dictionary<string, bool> { [$"{ContainerLabels.Plugin}={plugin}"] = true },
                    ["status"] = new Dictionary<string, bool> { ["created"] = true },
                },
            }, ct);
            foreach (var container in created.Where(c => Abandoned(c, DateTime.UtcNow)))
            {
                try
                {
                    await client.Containers.RemoveContainerAsync(container.ID, new ContainerRemoveParameters { Force = true, RemoveVolumes = true }, ct);
                    events.Info($"Removed container {container.Names?.FirstOrDefault()?.TrimStart('/') ?? container.ID[..12]} at the Docker engine at {host}: " +
                        "it was created but never started (the run that provisioned it was killed)");
                }
                catch (DockerContainerNotFoundException)
                {
                }
            }

            return true;
        }, ct);

    private static bool Abandoned(ContainerListResponse container, DateTime now)
    {
        if (container.Labels is not null && container.Labels.TryGetValue(ProvisionerLabel, out var label) && Parse(label) is { } owner)
        {
            // A live provisioner here is between its create and its start. Another machine's cannot be checked, nor one
            // in another PID namespace on this machine (the Action's container on the host network has its name).
            if (!owner.IsAlive())
            {
                return true;
            }

            if (owner.IsCheckableHere)
            {
                return false;
            }
        }

        return now - container.Created.ToUniversalTime() > Grace;
    }

    private static ProcessOwner? Parse(string label)
    {
        var parts = label.Split('@');
        if (parts.Length is not (3 or 4) || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
        {
            return null;
        }

        DateTimeOffset? start = long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var ms) ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;
        return new ProcessOwner(pid, parts[1], start, parts.Length == 4 && parts[3].Length > 0 ? parts[3] : null);
    }
}
