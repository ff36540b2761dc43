using System.Text.Json;
using System.Text.Json.Nodes;
using Deploy.Engine.Spec;

namespace Deploy.Engine.Apps;

/// <summary>
/// A blue/green app as written in its spec file (required: ID, Group, two Colours; the rest optional).
/// Group stays JSON until it is resolved for one colour by <see cref="AppResolver"/>.
/// </summary>
public sealed record AppSpec(
    string Id,
    IReadOnlyDictionary<string, string> Vars,
    IReadOnlyList<string> Colours,
    IReadOnlyDictionary<string, JsonNode?> ColourPatches,
    JsonObject Group,
    JsonObject? Health,
    JsonObject? Verify,
    PluginSpec Proxy,
    AppHooks Hooks,
    IReadOnlyList<string> Secrets,
    StandbySpec Standby);

/// <summary>Argv commands run around the flip. BeforeFlip failing aborts the deploy; the others only warn.</summary>
public sealed record AppHooks(
    IReadOnlyList<IReadOnlyList<string>> BeforeFlip,
    IReadOnlyList<IReadOnlyList<string>> AfterFlip,
    IReadOnlyList<IReadOnlyList<string>> OnRollback)
{
    /// <summary>No hooks.</summary>
    public static readonly AppHooks None = new([], [], []);
}

/// <summary>What happens to the old colour after a flip: kept as hot standby (default), or drained and destroyed.</summary>
public sealed record StandbySpec(bool Keep = true, TimeSpan? DrainTimeout = null)
{
    /// <summary>The drain wait in force (default 5s).</summary>
    public TimeSpan EffectiveDrainTimeout => DrainTimeout ?? TimeSpan.FromSeconds(5);
}

/// <summary>
/// Health probing of each instance: GET Path must answer 2xx HealthyThreshold times in a row, probed every
/// Interval (default 500ms) with Timeout per probe (default 2s), all within Deadline (default 60s).
/// </summary>
public sealed record HealthSpec(string Path, TimeSpan Interval, TimeSpan Timeout, int HealthyThreshold, TimeSpan Deadline);

/// <summary>
/// Verification of the new version: GET Path must answer 2xx with a trimmed body equal to Expect (or containing
/// Contains), on each instance directly and then through the proxy for Duration (default 3s).
/// </summary>
public sealed record VerifySpec(string Path, string? Expect, string? Contains, TimeSpan Duration);

/// <summary>One colour of an app, fully resolved: its group, its config hash, and its checks.</summary>
public sealed record ColourSpec(
    string Colour,
    GroupSpec Group,
    string ConfigHash,
    string GroupJson,
    HealthSpec? Health,
    VerifySpec? Verify,
    AppHooks Hooks,
    IReadOnlyDictionary<string, string> Tags);
