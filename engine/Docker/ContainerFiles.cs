using System.Formats.Tar;
using System.Text;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace Deploy.Engine.Docker;

/// <summary>
/// One file inside a container, read and written through the archive API, so it works for a container on any engine
/// the client reaches, running or not. A write replaces the file in one extraction: readers see the old or the new file.
/// </summary>
public static class ContainerFiles
{
    /// <summary>The file's bytes, or null when the container has no such file.</summary>
    public static async Task<byte[]?> ReadAsync(DockerClient client, string container, string path, CancellationToken cancellationToken)
    {
        ContainerArchiveResponse response;
        try
        {
            response = await client.Containers.GetArchiveFromContainerAsync(container, new ContainerPathStatParameters { Path = path }, false, cancellationToken);
        }
        catch (DockerApiException e) when (e.StatusCode == System.Net.HttpStatusCode.NotFound && e.ResponseBody?.Contains("No such container", StringComparison.Ordinal) != true)
        {
            return null;
        }

        await using var stream = response.Stream ?? Stream.Null;
        await using var reader = new TarReader(stream);
        while (await reader.GetNextEntryAsync(copyData: true, cancellationToken) is { } entry)
        {
            if (entry.EntryType is TarEntryType.RegularFile or TarEntryType.V7RegularFile && entry.DataStream is { } data)
            {
                using var buffer = new MemoryStream();
                await data.CopyToAsync(buffer, cancellationToken);
                return buffer.ToArray();
            }
        }

        return null;
    }

    /// <summary>Writes <paramref name="content"/> to <paramref name="path"/> (its folder must exist), mode 0644.</summary>
    public static async Task WriteAsync(DockerClient client, string container, string path, byte[] content, CancellationToken cancellationToken)
    {
        var folder = path[..(path.LastIndexOf('/') is var i && i > 0 ? i : 1)];
        using var tar = new MemoryStream();
        await using (var writer = new TarWriter(tar, TarEntryFormat.Pax, leaveOpen: true))
        {
            var entry = new PaxTarEntry(TarEntryType.RegularFile, path[(path.LastIndexOf('/') + 1)..])
            {
                DataStream = new MemoryStream(content),
                Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
                ModificationTime = DateTimeOffset.UtcNow,
            };
            await writer.WriteEntryAsync(entry, cancellationToken);
        }

        tar.Position = 0;
        await client.Containers.ExtractArchiveToContainerAsync(container, new CopyToContainerParameters { Path = folder }, tar, cancellationToken);
    }

    /// <summary>Writes text as UTF-8 (no byte-order mark).</summary>
    public static Task WriteTextAsync(DockerClient client, string container, string path, string content, CancellationToken cancellationToken) =>
        WriteAsync(client, container, path, new UTF8Encoding(false).GetBytes(content), cancellationToken);
}
