namespace Deploy.Engine.State;

/// <summary>Writes files so a crash at any point leaves either the old content or the new, never half of one.</summary>
public static class AtomicFile
{
    /// <summary>Writes <paramref name="content"/> to a temp file beside <paramref name="path"/>, flushes, and renames it into place.</summary>
    public static void Write(string path, string content)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(dir);
        var temp = Path.Combine(dir, $".{Path.GetFileName(path)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(content);
            writer.Flush();
            stream.Flush(flushToDisk: true);
        }

        File.Move(temp, path, overwrite: true);
    }
}
