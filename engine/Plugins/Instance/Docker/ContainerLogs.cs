using System.Globalization;
using System.Text;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace Deploy.Engine.Plugins.Instance.Docker;

/// <summary>The end of a container's log (stdout and stderr), read through the logs API.</summary>
internal static class ContainerLogs
{
    /// <summary>
    /// The last <paramref name="lines"/> lines the container wrote to stdout and stderr, in the order written; null when
    /// it wrote nothing or is gone. Not masked: the caller masks.
    /// </summary>
    public static async Task<string?> TailAsync(DockerClient client, string container, int lines, CancellationToken cancellationToken)
    {
        MultiplexedStream stream;
        try
        {
            stream = await client.Containers.GetContainerLogsAsync(container, new ContainerLogsParameters
            {
                ShowStdout = true,
                ShowStderr = true,
                Tail = (Math.Max(1, lines) + LogLines.Slack).ToString(CultureInfo.InvariantCulture),
            }, cancellationToken);
        }
        catch (DockerContainerNotFoundException)
        {
            return null;
        }

        // Frames are kept in arrival order (stderr between stdout lines stays there) and decoded once, so a UTF-8
        // sequence split across two frames survives.
        using var _ = stream;
        using var bytes = new MemoryStream();
        var buffer = new byte[16 * 1024];
        while (true)
        {
            var read = await stream.ReadOutputAsync(buffer, 0, buffer.Length, cancellationToken);
            if (read.EOF)
            {
                break;
            }

            bytes.Write(buffer, 0, read.Count);
        }

        return LogLines.Tail(Encoding.UTF8.GetString(bytes.GetBuffer(), 0, (int)bytes.Length), lines);
    }
}
