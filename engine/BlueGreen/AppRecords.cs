using System.Text.Json;
using Deploy.Engine.State;

namespace Deploy.Engine.BlueGreen;

/// <summary>
/// What the state folder keeps per app (<c>apps/&lt;app&gt;.json</c>): where its spec is and the non-secret vars it was
/// applied with, so APP names work in later commands and serve can find the proxy; plus an append-only history.
/// </summary>
public sealed class AppRecords(string stateDirectory)
{
    private string Dir => Path.Combine(stateDirectory, "apps");

    /// <summary>Records (or refreshes) an app's spec path and non-secret vars. Idempotent.</summary>
    public void Save(AppRecord record)
    {
        StateFormat.Stamp(stateDirectory);
        AtomicFile.Write(PathOf(record.App), JsonSerializer.Serialize(record with { Format = StateFormat.Current }));
    }

    /// <summary>The record of <paramref name="app"/>, or null.</summary>
    public AppRecord? Find(string app)
    {
        var path = PathOf(app);
        return IsName(app) && File.Exists(path) ? JsonSerializer.Deserialize<AppRecord>(File.ReadAllText(path)) : null;
    }

    /// <summary>Every recorded app, sorted.</summary>
    public IReadOnlyList<AppRecord> All() =>
        Directory.Exists(Dir)
            ? Directory.EnumerateFiles(Dir, "*.json").Order(StringComparer.Ordinal)
                .Select(f => JsonSerializer.Deserialize<AppRecord>(File.ReadAllText(f))!).ToList()
            : [];

    /// <summary>Appends one entry to the app's history.</summary>
    public void Append(string app, HistoryEntry entry)
    {
        Directory.CreateDirectory(Dir);
        File.AppendAllText(Path.Combine(Dir, app + ".history.jsonl"), JsonSerializer.Serialize(entry with { Format = StateFormat.Current }) + "\n");
    }

    /// <summary>The last <paramref name="count"/> history entries, newest last.</summary>
    public IReadOnlyList<HistoryEntry> History(string app, int count)
    {
        var path = Path.Combine(Dir, app + ".history.jsonl");
        return File.Exists(path)
            ? File.ReadLines(path).Where(l => l.Length > 0).TakeLast(count).Select(l => JsonSerializer.Deserialize<HistoryEntry>(l)!).ToList()
            : [];
    }

    /// <summary>Forgets the app and its history. Idempotent.</summary>
    public void Forget(string app)
    {
        File.Delete(PathOf(app));
        File.Delete(Path.Combine(Dir, app + ".history.jsonl"));
    }

    private static bool IsName(string app) => app.Length > 0 && app.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-') && app[0] != '.';

    private string PathOf(string app) => Path.Combine(Dir, app + ".json");
}

/// <summary>An app's record: its spec file (absolute) and the --var overrides it was last applied with, secrets excluded.</summary>
public sealed record AppRecord(string App, string SpecFile, IReadOnlyDictionary<string, string> Vars)
{
    /// <summary>The format it was written in; records without one are format 1.</summary>
    public int Format { get; init; } = 1;
}
