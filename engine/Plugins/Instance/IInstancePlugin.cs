using System.Text.Json;
using Deploy.Engine.Diagnostics;

namespace Deploy.Engine.Plugins.Instance;

/// <summary>
/// Manages the physical resources behind a group: files, processes, machines. Instances are found again
/// by their tags, never by memory of what was provisioned.
/// </summary>
public interface IInstancePlugin
{
    /// <summary>The name specs use, e.g. <c>instance-file</c>.</summary>
    string Name { get; }

    /// <summary>One line for <c>deploy plugin ls</c>.</summary>
    string Description { get; }

    /// <summary>Checks the plugin's <c>Properties</c> at <paramref name="path"/>; pure, so calling it twice is harmless.</summary>
    IEnumerable<Diagnostic> Validate(JsonElement? properties, string path);

    /// <summary>Creates one instance carrying the spec's tags and returns its ID. Calling it twice creates two.</summary>
    Task<string> ProvisionAsync(InstanceSpec spec, CancellationToken cancellationToken);

    /// <summary>Destroys the instance. Idempotent: destroying an instance that is already gone succeeds.</summary>
    Task DestroyAsync(string instanceId, CancellationToken cancellationToken);

    /// <summary>Every live instance whose tags include all of <paramref name="tags"/>. Read-only.</summary>
    Task<IReadOnlyList<InstanceDescription>> DescribeAsync(IReadOnlyDictionary<string, string> tags, CancellationToken cancellationToken);
}

/// <summary>What to provision: plugin properties, tags, the flavor's init script and the logical ID (quorum groups).</summary>
public sealed record InstanceSpec(
    JsonElement? Properties,
    IReadOnlyDictionary<string, string> Tags,
    string? Init = null,
    string? LogicalId = null)
{
    /// <summary>Values that must never reach disk in clear: a plugin that persists the spec writes <c>***</c> instead.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public IReadOnlyCollection<string> Secrets { get; init; } = [];

    /// <summary>The spec's folder: relative paths in <see cref="Properties"/> resolve against it; default none (the current folder).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string? BaseDirectory { get; init; }
}

/// <summary>A live instance as its plugin sees it. Endpoint: where it answers, when the plugin knows (see <see cref="IInstanceEndpoints"/>).</summary>
public sealed record InstanceDescription(
    string Id,
    string? LogicalId,
    IReadOnlyDictionary<string, string> Tags,
    Endpoint? Endpoint = null);
