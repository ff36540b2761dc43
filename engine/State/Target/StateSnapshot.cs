using System.Text.Json;

namespace Deploy.Engine.State.Target;

/// <summary>
/// An app's files in a state folder, as one JSON document (relative path → content) kept on the target: its record and
/// history (<c>apps/</c>), its colour groups' committed specs (<c>groups/</c>) and folder records (<c>folders/</c>). Instances are never
/// part of it: the truth about them is what plugins describe. Secrets never are either: committed specs hold them as
/// <c>{{var.NAME}}</c>.
/// </summary>
public static class StateSnapshot
{
    /// <summary>The app's files that exist in <paramref name="stateDirectory"/>, by path relative to it.</summary>
    public static IReadOnlyDictionary<string, string> Read(string app, IReadOnlyList<string> groupIds, string stateDirectory)
    {
        var files = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var relative in Paths(app, groupIds, stateDirectory))
        {
            var full = Path.Combine(stateDirectory, relative);
            if (File.Exists(full))
            {
                files[relative] = File.ReadAllText(full);
            }
        }

        return files;
    }

    /// <summary>Makes the app's files in <paramref name="stateDirectory"/> exactly <paramref name="files"/>: others of the app are removed.</summary>
    public static void Write(string app, IReadOnlyList<string> groupIds, string stateDirectory, IReadOnlyDictionary<string, string> files)
    {
        var allowed = Paths(app, groupIds, stateDirectory).ToHashSet(StringComparer.Ordinal);
        foreach (var relative in allowed.Where(r => !files.ContainsKey(r)).Select(r => Path.Combine(stateDirectory, r)).Where(File.Exists))
        {
            File.Delete(relative);
        }

        foreach (var (relative, content) in files.Where(f => allowed.Contains(f.Key)))
        {
            AtomicFile.Write(Path.Combine(stateDirectory, relative), content);
        }

        if (files.Count > 0)
        {
            StateFormat.Stamp(stateDirectory);
        }
    }

    /// <summary>The snapshot as the bytes kept on the target.</summary>
    public static byte[] Serialize(IReadOnlyDictionary<string, string> files) =>
        JsonSerializer.SerializeToUtf8Bytes(new SnapshotFile(StateFormat.Current, files));

    /// <summary>The files in bytes read from the target; empty for none.</summary>
    public static IReadOnlyDictionary<string, string> Deserialize(byte[]? bytes, string where)
    {
        if (bytes is null || bytes.Length == 0)
        {
            return new Dictionary<string, string>();
        }

        var file = JsonSerializer.Deserialize<SnapshotFile>(bytes)
            ?? throw new InvalidDataException($"the state kept on {where} is empty");
        if (file.Format > StateFormat.Current)
        {
            throw StateFormat.Newer($"the state kept on {where}", file.Format);
        }

        return file.Files;
    }

    // Only these names, so a snapshot can never write outside the app's own files.
    private static IEnumerable<string> Paths(string app, IReadOnlyList<string> groupIds, string stateDirectory)
    {
        yield return Path.Combine("apps", app + ".json");
        yield return Path.Combine("apps", app + ".history.jsonl");
        foreach (var id in groupIds)
        {
            yield return Path.Combine("groups", id + ".json");
            yield return Path.Combine("folders", id + ".json");
        }
    }

    private sealed record SnapshotFile(int Format, IReadOnlyDictionary<string, string> Files);
}
