using System.Text.Json;
using System.Text.Json.Nodes;
using Deploy.Engine.Apps;
using Deploy.Engine.Diagnostics;
using Deploy.Engine.Json;
using Deploy.Engine.Plugins;
using Deploy.Engine.Spec;

namespace Deploy.Engine.State;

/// <summary>
/// The state folder holds intent, never inventory: committed group specs (<c>groups/</c>), the journal of
/// in-flight updates (<c>journal/</c>) and locks (<c>locks/</c>). The truth about instances is what plugins describe.
/// </summary>
public sealed class StateStore(string directory)
{
    /// <summary>The state folder, absolute.</summary>
    public string Directory { get; } = Path.GetFullPath(directory);

    private string GroupsDir => Path.Combine(Directory, "groups");

    /// <summary>The committed spec's JSON for <paramref name="groupId"/>, or null when the group is not watched.</summary>
    public string? CommittedJson(string groupId)
    {
        var path = GroupPath(groupId);
        return File.Exists(path) ? File.ReadAllText(path) : null;
    }

    /// <summary>
    /// Loads the committed spec of <paramref name="groupId"/>; null when not watched. App colours are committed with their
    /// secrets as <c>{{var.NAME}}</c>: they are filled here from <c>DEPLOY_VAR_NAME</c> in <paramref name="env"/>.
    /// </summary>
    public CommittedGroup? Committed(string groupId, PluginRegistry plugins, Func<string, string?> env)
    {
        var path = GroupPath(groupId);
        if (!File.Exists(path))
        {
            return null;
        }

        var root = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        var tags = root["Tags"] is JsonObject t ? t.ToDictionary(p => p.Key, p => p.Value?.GetValue<string>() ?? "") : new Dictionary<string, string>();
        var secrets = root["Secrets"] is JsonArray s ? s.Select(n => n!.GetValue<string>()).ToList() : [];
        var values = new Dictionary<string, string>();
        if (secrets.Count > 0)
        {
            foreach (var name in secrets)
            {
                values[$"var.{name}"] = env($"DEPLOY_VAR_{name}") ?? throw new DeployException(Errors.Missing,
                    $"group {groupId} needs the secret \"{name}\": set DEPLOY_VAR_{name} in this process's environment", path);
            }

            new Placeholders(values).Resolve(root["Properties"], "$.Properties", new DiagnosticBag(), ["$.Properties.Instance.Properties", "$.Properties.Orchestrator.Properties"]);
        }

        var spec = GroupSpecLoader.From(JsonSource.Parse(path, System.Text.Encoding.UTF8.GetBytes(root.ToJsonString())), plugins).Spec;
        return new CommittedGroup(spec, tags, secrets.Select(name => values[$"var.{name}"]).ToList());
    }

    /// <summary>Records <paramref name="json"/> as the desired state of <paramref name="groupId"/>. Idempotent.</summary>
    public void Commit(string groupId, string json)
    {
        StateFormat.Stamp(Directory);
        AtomicFile.Write(GroupPath(groupId), json);
    }

    /// <summary>
    /// The instance folder <paramref name="groupId"/> was created with (plugins with <c>IFolderInstancePlugin</c>), or
    /// null when none was recorded (another plugin, or a group committed by an older release).
    /// </summary>
    public string? InstanceFolder(string groupId)
    {
        var path = FolderPath(groupId);
        try
        {
            return File.Exists(path) ? JsonNode.Parse(File.ReadAllText(path))?["InstanceFolder"]?.GetValue<string>() : null;
        }
        catch (Exception e) when (e is JsonException or IOException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>Records the instance folder of <paramref name="groupId"/>, once: a recorded folder is never moved. Idempotent.</summary>
    public void RecordInstanceFolder(string groupId, string folder)
    {
        if (InstanceFolder(groupId) is null)
        {
            AtomicFile.Write(FolderPath(groupId), new JsonObject { ["InstanceFolder"] = Path.GetFullPath(folder) }.ToJsonString());
        }
    }

    /// <summary>Stops managing <paramref name="groupId"/>. Idempotent.</summary>
    public void Forget(string groupId)
    {
        File.Delete(GroupPath(groupId));
        if (File.Exists(FolderPath(groupId)))
        {
            File.Delete(FolderPath(groupId));
        }
        Journal.Finish(groupId);
    }

    /// <summary>Every committed group ID, sorted.</summary>
    public IReadOnlyList<string> GroupIds() =>
        System.IO.Directory.Exists(GroupsDir)
            ? System.IO.Directory.EnumerateFiles(GroupsDir, "*.json")
                .Select(f => Path.GetFileNameWithoutExtension(f)!)
                .Where(n => !n.StartsWith('.'))
                .Order(StringComparer.Ordinal).ToList()
            : [];

    /// <summary>The journal of in-flight updates.</summary>
    public Journal Journal => new(Path.Combine(Directory, "journal"));

    /// <summary>The folder holding locks.</summary>
    public string LocksDirectory => Path.Combine(Directory, "locks");

    // Group IDs are validated (letters, digits, . _ -) before they ever reach here.
    private string GroupPath(string groupId) => Path.Combine(GroupsDir, groupId + ".json");

    // Beside the committed spec, not inside it: the committed JSON stays the user's spec, byte for byte.
    private string FolderPath(string groupId) => Path.Combine(Directory, "folders", groupId + ".json");
}

/// <summary>A committed group: its spec with secrets filled in, the extra tags its instances carry (app colours), and the secret values.</summary>
public sealed record CommittedGroup(GroupSpec Spec, IReadOnlyDictionary<string, string> Tags, IReadOnlyCollection<string> Secrets);

/// <summary>
/// One file per group while an update runs: what it was converging to, since when, and which process owns it (pid,
/// host, start time, as locks record them). A run that finds an entry whose owner is dead knows that update was
/// interrupted and says so; re-observing by tags does the rest. An entry whose owner is alive is someone else's
/// update in flight and is never resumed.
/// </summary>
public sealed class Journal(string directory)
{
    /// <summary>Records that <paramref name="groupId"/> is being converged to <paramref name="configHash"/> by this process.</summary>
    public void Begin(string groupId, string configHash, string plan)
    {
        var me = ProcessOwner.Current;
        AtomicFile.Write(PathOf(groupId), JsonSerializer.Serialize(
            new JournalEntry(groupId, configHash, plan, DateTimeOffset.UtcNow, me.Pid) { Host = me.Host, ProcessStart = me.ProcessStart, PidNamespace = me.PidNamespace }));
    }

    /// <summary>The unfinished entry of <paramref name="groupId"/>, or null.</summary>
    public JournalEntry? Pending(string groupId)
    {
        try
        {
            return File.Exists(PathOf(groupId)) ? JsonSerializer.Deserialize<JournalEntry>(File.ReadAllText(PathOf(groupId))) : null;
        }
        catch (Exception e) when (e is JsonException or IOException)
        {
            return null;
        }
    }

    /// <summary>
    /// Marks this process's update of <paramref name="groupId"/> as given up (it failed or was cancelled) while the
    /// process lives on: the next run resumes it as it would a crashed one. Idempotent; another owner's entry is left alone.
    /// </summary>
    public void Abandon(string groupId)
    {
        if (Pending(groupId) is { } entry && entry.Owner.IsCurrent)
        {
            AtomicFile.Write(PathOf(groupId), JsonSerializer.Serialize(entry with { Abandoned = true }));
        }
    }

    /// <summary>Marks the update finished. Idempotent.</summary>
    public void Finish(string groupId)
    {
        try
        {
            File.Delete(PathOf(groupId));
        }
        catch (DirectoryNotFoundException)
        {
            // A group that never needed an update (Size 0 on a fresh state) has no journal folder: nothing to finish.
        }
    }

    private string PathOf(string groupId) => Path.Combine(directory, groupId + ".json");
}

/// <summary>
/// An in-flight update as recorded in the journal. Host and ProcessStart are absent from entries written before
/// owners were recorded; Abandoned is set when the owner gave the update up without dying.
/// </summary>
public sealed record JournalEntry(string GroupId, string ConfigHash, string Plan, DateTimeOffset Started, int Pid)
{
    /// <summary>The machine of the owning process; null in entries from older releases (taken as this machine).</summary>
    public string? Host { get; init; }

    /// <summary>The owning process's start time; null in entries from older releases.</summary>
    public DateTimeOffset? ProcessStart { get; init; }

    /// <summary>The owning process's PID namespace (see <see cref="ProcessOwner.PidNamespace"/>); null in entries from older releases.</summary>
    public string? PidNamespace { get; init; }

    /// <summary>True when the owner gave the update up (a failure or cancellation) and lives on.</summary>
    public bool Abandoned { get; init; }

    /// <summary>The process that owns this update.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public ProcessOwner Owner => new(Pid, Host ?? Environment.MachineName, ProcessStart, PidNamespace);

    /// <summary>True while another live process is carrying this update out: it must not be resumed.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool InFlightElsewhere => !Abandoned && !Owner.IsCurrent && Owner.IsAlive();
}
