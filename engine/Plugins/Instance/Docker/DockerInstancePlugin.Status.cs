using Deploy.Engine.Diagnostics;
using Deploy.Engine.Docker;
using Deploy.Engine.Events;
using Docker.DotNet.Models;

namespace Deploy.Engine.Plugins.Instance.Docker;

// What Docker says of running instances: health, logs, and the containers for `deploy status`. All read-only.
public sealed partial class DockerInstancePlugin
{
    /// <summary>The container's health as Docker reports it; <see cref="InstanceHealth.Gone"/> when no engine has it. Read-only.</summary>
    public async Task<InstanceHealth> HealthAsync(string instanceId, CancellationToken cancellationToken)
    {
        Checked(instanceId);
        foreach (var host in _known.All())
        {
            if (await InspectAsync(host, instanceId, cancellationToken) is { } container)
            {
                return ContainerHealthReading.From(container.State);
            }
        }

        return InstanceHealth.Gone;
    }

    /// <summary>The container's short ID, image and state for <c>deploy status</c>; empty when it is gone. Read-only.</summary>
    public async Task<IReadOnlyList<KeyValuePair<string, string>>> DetailsAsync(string instanceId, CancellationToken cancellationToken)
    {
        Checked(instanceId);
        foreach (var host in _known.All())
        {
            if (await InspectAsync(host, instanceId, cancellationToken) is { } c)
            {
                return
                [
                    new("container", c.ID[..Math.Min(12, c.ID.Length)]),
                    new("image", c.Config?.Image ?? c.Image),
                    new("state", c.State?.Status ?? "unknown"),
                ];
            }
        }

        return [];
    }

    /// <summary>The plugin's containers carrying every tag of <paramref name="tags"/>, with image, state, health and endpoint. Read-only.</summary>
    public async Task<IReadOnlyList<ContainerInfo>> ContainersAsync(IReadOnlyDictionary<string, string> tags, CancellationToken cancellationToken)
    {
        var found = new List<ContainerInfo>();
        foreach (var host in _known.All())
        {
            var digests = new Dictionary<string, IList<string>>(StringComparer.Ordinal);
            foreach (var c in await ListAsync(host, tags, cancellationToken))
            {
                // The list has no health on API 1.41; a container removed in between is simply left out.
                if (await InspectAsync(host, c.ID, cancellationToken) is not { } inspected)
                {
                    continue;
                }

                if (!digests.TryGetValue(c.ImageID, out var repoDigests))
                {
                    digests[c.ImageID] = repoDigests = await RepoDigestsAsync(host, c.ImageID, cancellationToken);
                }

                // Config.Image is the reference as created; the list shows an image ID once that reference is untagged.
                var image = inspected.Config?.Image ?? c.Image;
                found.Add(new ContainerInfo(c.ID[..Math.Min(12, c.ID.Length)], NameOf(c), image, c.ImageID, DigestOf(image, repoDigests),
                    inspected.State?.Status ?? c.State, ContainerHealthReading.From(inspected.State), ContainerLabels.EndpointOf(c.Labels)));
            }
        }

        return found.OrderBy(c => c.Name, InstanceIdComparer.Instance).ToList();
    }

    /// <summary>
    /// The last <paramref name="lines"/> lines of the container's stdout and stderr, secrets masked, or null when it wrote
    /// nothing, is gone, or its engine cannot be reached (a log tail only adds to another message). Read-only.
    /// </summary>
    public async Task<string?> LogTailAsync(string instanceId, int lines, CancellationToken ct)
    {
        Checked(instanceId);
        try
        {
            foreach (var host in _known.All())
            {
                if (await InspectAsync(host, instanceId, ct) is not { } container)
                {
                    continue;
                }

                // The values of the variables the labels name as secret, so a tail read by a later process is masked too.
                var names = ContainerLabels.SecretEnvOf(container.Config?.Labels).ToHashSet(StringComparer.Ordinal);
                var values = (container.Config?.Env ?? []).Select(e => e.Split('=', 2)).Where(kv => kv.Length == 2 && names.Contains(kv[0])).Select(kv => kv[1]);
                var tail = await _engines.RunAsync(host, $"reading the log of container {instanceId}",
                    client => ContainerLogs.TailAsync(client, instanceId, lines, ct), ct);
                return tail is null ? null : Mask(values).Apply(tail);
            }
        }
        catch (DeployException)
        {
        }

        return null;
    }

    // One image can be in several repositories: the digest shown is the one of the repository the container names.
    private static string? DigestOf(string image, IList<string> repoDigests) =>
        ImageReference.TryParse(image, out _) is { } reference
            ? repoDigests.FirstOrDefault(d => d.StartsWith(reference.Repository + "@", StringComparison.Ordinal)) ?? repoDigests.FirstOrDefault()
            : repoDigests.FirstOrDefault();

    private Task<IList<string>> RepoDigestsAsync(DockerHostAddress host, string imageId, CancellationToken cancellationToken) =>
        _engines.RunAsync<IList<string>>(host, $"inspecting image {imageId}", async client =>
        {
            try
            {
                return (await client.Images.InspectImageAsync(imageId, cancellationToken)).RepoDigests ?? [];
            }
            catch (global::Docker.DotNet.DockerImageNotFoundException)
            {
                return [];
            }
        }, cancellationToken);
}
