using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using Deploy.Engine.Diagnostics;
using Deploy.Engine.Events;

namespace Deploy.Engine.Plugins.Instance;

/// <summary>
/// InfraKit's file instance plugin: each instance is a file <c>instance-&lt;random digits&gt;</c> holding
/// <c>{ID, LogicalID, Tags, Spec}</c>. Destroying deletes the file; describing reads the folder.
/// </summary>
public sealed partial class FileInstancePlugin(string directory, IDeployEvents events) : IInstancePlugin, IFolderInstancePlugin
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public string Name => "instance-file";

    public string Description => "Instances as JSON files in a folder (--file-dir)";

    /// <summary>The folder holding the instance files.</summary>
    public string Directory { get; } = Path.GetFullPath(directory);

    public IInstancePlugin InFolder(string directory) =>
        Path.GetFullPath(directory) == Directory ? this : new FileInstancePlugin(directory, events);

    public IEnumerable<Diagnostic> Validate(JsonElement? properties, string path) => [];

    public async Task<string> ProvisionAsync(InstanceSpec spec, CancellationToken cancellationToken)
    {
        System.IO.Directory.CreateDirectory(Directory);
        var record = new FileRecord { LogicalID = spec.LogicalId, Tags = new(spec.Tags), Spec = spec };
        while (true)
        {
            var id = "instance-" + (RandomNumberGenerator.GetInt32(1, int.MaxValue) * (long)int.MaxValue + RandomNumberGenerator.GetInt32(int.MaxValue));
            record.ID = id;
            var temp = Path.Combine(Directory, $".{id}.tmp");
            await File.WriteAllTextAsync(temp, Redact(JsonSerializer.Serialize(record, Json), spec.Secrets), cancellationToken);
            try
            {
                // No overwrite: a clash of random IDs retries rather than replacing another instance.
                File.Move(temp, PathOf(id), overwrite: false);
                return id;
            }
            catch (IOException) when (File.Exists(PathOf(id)))
            {
                File.Delete(temp);
            }
        }
    }

    public Task DestroyAsync(string instanceId, CancellationToken cancellationToken)
    {
        File.Delete(PathOf(instanceId));
        return Task.CompletedTask;
    }

    public async Task<IReadOnlyList<InstanceDescription>> DescribeAsync(IReadOnlyDictionary<string, string> tags, CancellationToken cancellationToken)
    {
        if (!System.IO.Directory.Exists(Directory))
        {
            return [];
        }

        var found = new List<InstanceDescription>();
        foreach (var file in System.IO.Directory.EnumerateFiles(Directory, "instance-*"))
        {
            var record = await ReadAsync(file, cancellationToken);
            if (record is not null && TagFilter.Matches(record.Tags, tags))
            {
                found.Add(new InstanceDescription(record.ID, record.LogicalID, record.Tags));
            }
        }

        found.Sort((a, b) => InstanceIdComparer.Instance.Compare(a.Id, b.Id));
        return found;
    }

    private async Task<FileRecord?> ReadAsync(string file, CancellationToken cancellationToken)
    {
        try
        {
            var record = JsonSerializer.Deserialize<FileRecord>(await File.ReadAllBytesAsync(file, cancellationToken));
            if (record?.ID is { Length: > 0 } id && id == Path.GetFileName(file) && record.Tags is not null)
            {
                return record;
            }
        }
        catch (Exception e) when (e is JsonException or IOException)
        {
            // Falls through to the warning; a file deleted between listing and reading is simply gone.
            if (e is FileNotFoundException)
            {
                return null;
            }
        }

        events.Warn(new Diagnostic(Errors.SkippedRecord,
            "skipped: not an instance record {ID, LogicalID, Tags, Spec}; delete or fix the file", File: file));
        return null;
    }

    // The record is the instance: it keeps the spec, but never a secret value in clear.
    private static string Redact(string json, IReadOnlyCollection<string> secrets) =>
        secrets.Where(s => s.Length > 0).Aggregate(json, (text, secret) => text.Replace(JsonEncodedText.Encode(secret).ToString(), "***", StringComparison.Ordinal));

    // IDs come from users (destroy) and files: only plain names inside the folder are ever touched.
    private string PathOf(string id)
    {
        if (!SafeId().IsMatch(id))
        {
            throw new DeployException(Errors.InvalidArgument, $"\"{id}\" is not an instance ID of the file plugin (instance-<digits>)");
        }

        return Path.Combine(Directory, id);
    }

    [GeneratedRegex("^instance-[0-9]{1,30}$")]
    private static partial Regex SafeId();

    private sealed class FileRecord
    {
        public string ID { get; set; } = "";
        public string? LogicalID { get; set; }
        public Dictionary<string, string> Tags { get; set; } = [];
        public InstanceSpec? Spec { get; set; }
    }
}
