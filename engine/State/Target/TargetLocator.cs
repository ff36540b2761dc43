using System.Text.Json;
using System.Text.Json.Nodes;
using Deploy.Engine.Apps;
using Deploy.Engine.Diagnostics;
using Deploy.Engine.Docker;

namespace Deploy.Engine.State.Target;

/// <summary>
/// Which target an app's state lives with: the Docker engine its containers run on (an <c>instance-docker</c> colour),
/// or else the one its proxy container runs on (a proxy with <c>Container</c>); none for an app on this machine.
/// </summary>
public static class TargetLocator
{
    /// <summary>The name of the instance plugin that runs containers.</summary>
    public const string DockerInstancePlugin = "instance-docker";

    /// <summary>The Docker engine that holds <paramref name="app"/>'s state, or null when its target is this machine.</summary>
    public static DockerHostAddress? DockerHostOf(ResolvedApp app, Func<string, string?> environment)
    {
        foreach (var colour in app.Colours)
        {
            if (colour.Group.Properties.Instance is { Plugin: DockerInstancePlugin } instance)
            {
                return Address(instance.Properties, environment);
            }
        }

        if (app.Proxy.Properties is { ValueKind: JsonValueKind.Object } proxy && proxy.TryGetProperty("Container", out var container)
            && container.ValueKind == JsonValueKind.String)
        {
            return Address(proxy, environment);
        }

        return null;
    }

    /// <summary>
    /// Whether the app of <paramref name="spec"/> keeps its state with a target, decided on the spec as written (before
    /// vars are known), by the rule of <see cref="DockerHostOf"/>: an <c>instance-docker</c> group (in <c>Group</c> or a
    /// colour's patch) or a proxy with <c>Container</c>. The local state folder of such an app is only a working copy.
    /// </summary>
    public static bool KeepsStateOnTarget(AppSpec spec) =>
        spec.ColourPatches.Values.OfType<JsonObject>().Prepend(spec.Group).Any(group =>
            group["Instance"] is JsonObject instance && instance["Plugin"] is JsonValue plugin
            && plugin.TryGetValue<string>(out var name) && name == DockerInstancePlugin)
        || spec.Proxy.Properties is { ValueKind: JsonValueKind.Object } proxy && proxy.TryGetProperty("Container", out var container)
            && container.ValueKind == JsonValueKind.String;

    // The plugins validated Host (and its Tls or Ssh) already; an address that still cannot be used fails here with the same sentence.
    private static DockerHostAddress Address(JsonElement? properties, Func<string, string?> environment)
    {
        var bag = new DiagnosticBag();
        var address = properties is { ValueKind: JsonValueKind.Object } p
            ? DockerHostAddress.Read(p, "$", bag, environment)
            : DockerHostAddress.Resolve(null, "$.Host", bag, environment);
        bag.ThrowIfErrors();
        return address!;
    }
}
