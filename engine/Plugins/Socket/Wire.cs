using System.Text.Json;
using System.Text.Json.Serialization;

namespace Deploy.Engine.Plugins.Socket;

// The JSON shapes of InfraKit's protocol (docker/infrakit b768a09); keys are Go's exported field names.

/// <summary>An instance <c>Spec</c>: what <c>/Instance.Provision</c> takes and <c>/Flavor.PreProvision</c> returns.</summary>
public sealed record WireInstanceSpec(
    [property: JsonPropertyName("Properties")] JsonElement? Properties,
    [property: JsonPropertyName("Tags")] IReadOnlyDictionary<string, string>? Tags,
    [property: JsonPropertyName("Init")] string? Init,
    [property: JsonPropertyName("LogicalID")] string? LogicalId,
    [property: JsonPropertyName("Attachments")] IReadOnlyList<string>? Attachments);

/// <summary>
/// An instance <c>Description</c>. <c>Endpoint</c> is Deploy's extension: <c>host:port</c> or <c>http(s)://host:port</c>
/// where the instance answers; absent in plain InfraKit plugins.
/// </summary>
public sealed record WireDescription(
    [property: JsonPropertyName("ID")] string? Id,
    [property: JsonPropertyName("LogicalID")] string? LogicalId,
    [property: JsonPropertyName("Tags")] IReadOnlyDictionary<string, string>? Tags,
    [property: JsonPropertyName("Endpoint"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Endpoint = null);

/// <summary><c>/Instance.Provision</c>'s answer.</summary>
public sealed record WireProvisioned([property: JsonPropertyName("ID")] string? Id);

/// <summary>An <c>AllocationMethod</c>: a size or logical IDs.</summary>
public sealed record WireAllocation(
    [property: JsonPropertyName("Size")] uint Size,
    [property: JsonPropertyName("LogicalIDs")] IReadOnlyList<string>? LogicalIds);

/// <summary><c>/Flavor.Validate</c>'s body.</summary>
public sealed record WireFlavorValidate(
    [property: JsonPropertyName("Properties")] JsonElement? Properties,
    [property: JsonPropertyName("Allocation")] WireAllocation Allocation);

/// <summary><c>/Flavor.PreProvision</c>'s body.</summary>
public sealed record WirePreProvision(
    [property: JsonPropertyName("Properties")] JsonElement? Properties,
    [property: JsonPropertyName("Instance")] WireInstanceSpec Instance,
    [property: JsonPropertyName("Allocation")] WireAllocation Allocation);

/// <summary><c>/Flavor.Healthy</c>'s answer.</summary>
public sealed record WireHealthy([property: JsonPropertyName("Healthy")] bool? Healthy);

/// <summary><c>/Deploy.Capabilities</c>'s answer (Deploy's extension): which optional abilities the plugin has.</summary>
public sealed record WireCapabilities([property: JsonPropertyName("Endpoints")] bool Endpoints);

/// <summary>A proxy route on the wire (Deploy's proxy extension): what <c>/Proxy.Current</c> answers and <c>/Proxy.Apply</c> takes.</summary>
public sealed record WireRoute(
    [property: JsonPropertyName("App")] string? App,
    [property: JsonPropertyName("Colour")] string? Colour,
    [property: JsonPropertyName("ConfigHash")] string? ConfigHash,
    [property: JsonPropertyName("Servers")] IReadOnlyList<string>? Servers,
    [property: JsonPropertyName("Backups")] IReadOnlyList<string>? Backups);

/// <summary><c>/Proxy.Current</c>'s body: the proxy's properties and the spec's folder.</summary>
public sealed record WireProxyTarget(
    [property: JsonPropertyName("Properties")] JsonElement? Properties,
    [property: JsonPropertyName("BaseDirectory")] string BaseDirectory);

/// <summary><c>/Proxy.Apply</c>'s body: the target and the route to serve.</summary>
public sealed record WireProxyApply(
    [property: JsonPropertyName("Properties")] JsonElement? Properties,
    [property: JsonPropertyName("BaseDirectory")] string BaseDirectory,
    [property: JsonPropertyName("Route")] WireRoute Route);
