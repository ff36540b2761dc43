using System.Formats.Tar;
using System.Net;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace Deploy.Engine.Plugins.Proxy.Container;

/// <summary>
/// Creates a folder inside a container through the archive API, so it works on a container that was only created and
/// needs no <c>mkdir</c> in the image. Existing folders are never touched (their mode and owner stay).
/// </summary>
public static class ContainerFolders
{
    /// <summary>Creates <paramref name="folder"/> (absolute) and its missing parents, mode 0755; does nothing when it exists.</summary>
    public static async Task EnsureAsync(DockerClient client, string container, string folder, CancellationToken cancellationToken)
    {
        var missing = new Stack<string>();
        var existing = folder.TrimEnd('/');
        while (existing.Length > 0 && !await ExistsAsync(client, container, existing, cancellationToken))
        {
            missing.Push(existing[(existing.LastIndexOf('/') + 1)..]);
            existing = existing[..existing.LastIndexOf('/')];
        }

        if (missing.Count == 0)
        {
            return;
        }

        // One archive of the missing folders only, extracted into the deepest folder that exists.
        using var tar = new MemoryStream();
        await using (var writer = new TarWriter(tar, TarEntryFormat.Pax, leaveOpen: true))
        {
            var name = "";
            foreach (var part in missing)
            {
                name += part + "/";
                await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.Directory, name)
                {
                    Mode = (UnixFileMode)0b111_101_101,
                    ModificationTime = DateTimeOffset.UtcNow,
                }, cancellationToken);
            }
        }

        tar.Position = 0;
        await client.Containers.ExtractArchiveToContainerAsync(container,
            new CopyToContainerParameters { Path = existing.Length == 0 ? "/" : existing }, tar, cancellationToken);
    }

    private static async Task<bool> ExistsAsync(DockerClient client, string container, string path, CancellationToken cancellationToken)
    {
        try
        {
            await client.Containers.GetArchiveFromContainerAsync(container, new ContainerPathStatParameters { Path = path }, statOnly: true, cancellationToken);
            return true;
        }
        catch (DockerApiException e) when (e.StatusCode == HttpStatusCode.NotFound && !ProxyContainerErrors.IsMissing(e))
        {
            return false;
        }
    }
}
