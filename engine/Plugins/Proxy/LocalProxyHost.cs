using Deploy.Engine.Commands;

namespace Deploy.Engine.Plugins.Proxy;

/// <summary>A proxy on this machine: its file is a local path, its commands run here with the spec's folder as working directory.</summary>
public sealed class LocalProxyHost(CommandRunner runner, string baseDirectory) : IProxyHost
{
    // Proxy checks and reloads take well under a second; this bounds one that hangs.
    private static readonly TimeSpan CommandLimit = TimeSpan.FromSeconds(30);

    /// <inheritdoc />
    public string Where => "this machine";

    /// <inheritdoc />
    public async Task<byte[]?> ReadAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            return await System.IO.File.ReadAllBytesAsync(path, cancellationToken);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Writes a temp file beside <paramref name="path"/> and renames it into place: a crash leaves the old file or the new.</summary>
    /// <remarks>
    /// The temp file's name never matches an include of *.conf/*.cfg. No fsync: the rename alone means a crashed deploy
    /// leaves the old file or the new one, and the reload reads it at once; an fsync here measured 0-130 ms on the
    /// critical path of every flip.
    /// </remarks>
    public Task WriteAsync(string path, byte[] content, CancellationToken cancellationToken)
    {
        var dir = Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(dir);
        var temp = Path.Combine(dir, $".{Path.GetFileName(path)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
        {
            stream.Write(content);
        }

        System.IO.File.Move(temp, path, overwrite: true);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task DeleteAsync(string path, CancellationToken cancellationToken)
    {
        System.IO.File.Delete(path);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async Task<string?> RunAsync(IReadOnlyList<string> argv, CancellationToken cancellationToken)
    {
        var request = new CommandRequest(argv, baseDirectory, Timeout: CommandLimit);
        var result = await runner.RunAsync(request, cancellationToken);
        return result.Succeeded ? null : result.Describe(request);
    }
}
