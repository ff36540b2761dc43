using System.Text.Json;
using System.Text.RegularExpressions;
using Deploy.Engine.Diagnostics;
using Deploy.Engine.Events;
using Deploy.Engine.State;

namespace Deploy.Engine.Plugins.Instance.Process;

/// <summary>
/// What the plugin remembers about one process, in <c>&lt;state&gt;/processes/&lt;id&gt;.json</c>. Never the command
/// or the environment: they may hold secrets. <see cref="Pid"/> is null between writing the record and starting the process.
/// </summary>
internal sealed record ProcessRecord
{
    public required string ID { get; init; }
    public string? LogicalID { get; init; }
    public required Dictionary<string, string> Tags { get; init; }
    public int? Pid { get; init; }
    public long? StartTime { get; init; }
    public required int Port { get; init; }
    public required string Endpoint { get; init; }
    public required string LogFile { get; init; }
    public required long StopTimeoutMs { get; init; }
}

/// <summary>The folder of <see cref="ProcessRecord"/> files; IDs are checked so no path ever leaves the folder.</summary>
internal sealed partial class ProcessRecords(string folder, IDeployEvents events)
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    /// <summary>The folder holding records and logs.</summary>
    public string Folder { get; } = Path.GetFullPath(folder);

    /// <summary>The log file of instance <paramref name="id"/>.</summary>
    public string LogOf(string id) => Path.Combine(Folder, Checked(id) + ".log");

    /// <summary>When the record of <paramref name="id"/> was last written, or null when there is none.</summary>
    public DateTime? WrittenAt(string id) => File.Exists(PathOf(id)) ? File.GetLastWriteTimeUtc(PathOf(id)) : null;

    /// <summary>True when a record of <paramref name="id"/> exists.</summary>
    public bool Exists(string id) => File.Exists(PathOf(id));

    /// <summary>Writes (or replaces) the record atomically.</summary>
    public void Write(ProcessRecord record) => AtomicFile.Write(PathOf(record.ID), JsonSerializer.Serialize(record, Json));

    /// <summary>Deletes the record; deleting one that is gone succeeds.</summary>
    public void Delete(string id) => File.Delete(PathOf(id));

    /// <summary>The record of <paramref name="id"/>, or null when it is gone or unreadable.</summary>
    public ProcessRecord? Read(string id) => ReadFile(PathOf(id));

    /// <summary>Every readable record; unreadable ones are reported as warnings and skipped.</summary>
    public IReadOnlyList<ProcessRecord> ReadAll()
    {
        if (!Directory.Exists(Folder))
        {
            return [];
        }

        return Directory.EnumerateFiles(Folder, "proc-*.json")
            .Select(ReadFile)
            .OfType<ProcessRecord>()
            .ToList();
    }

    /// <summary>Throws a <see cref="DeployException"/> unless <paramref name="id"/> is an ID this plugin makes.</summary>
    public static string Checked(string id) =>
        SafeId().IsMatch(id) ? id : throw new DeployException(Errors.InvalidId, $"\"{id}\" is not an instance ID of the process plugin (proc-<digits>)");

    private string PathOf(string id) => Path.Combine(Folder, Checked(id) + ".json");

    private ProcessRecord? ReadFile(string file)
    {
        try
        {
            var record = JsonSerializer.Deserialize<ProcessRecord>(File.ReadAllBytes(file));
            if (record is not null && record.ID + ".json" == Path.GetFileName(file) && record.Tags is not null)
            {
                return record;
            }
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            // Deleted between listing and reading: simply gone.
            return null;
        }
        catch (Exception e) when (e is JsonException or IOException)
        {
            // Falls through to the warning.
        }

        events.Warn(new Diagnostic(Errors.SkippedRecord,
            "skipped: not a process instance record {ID, Tags, Pid, Port, ...}; delete or fix the file", File: file));
        return null;
    }

    [GeneratedRegex("^proc-[0-9]{1,30}$")]
    private static partial Regex SafeId();
}
