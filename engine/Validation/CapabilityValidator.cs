using System.Text.Json;
using Deploy.Engine.Apps;
using Deploy.Engine.Diagnostics;
using Deploy.Engine.Docker;
using Deploy.Engine.Plugins;
using Deploy.Engine.Spec;

namespace Deploy.Engine.Validation;

/// <summary>
/// Checks that an app's plugins can work together before anything runs, from the abilities they declare: a proxy that
/// routes to addresses, Health and Verify all need instances with endpoints. So <c>plan</c> fails where <c>apply</c> would.
/// </summary>
public static class CapabilityValidator
{
    /// <summary>Records an error with its path and fix for each combination that cannot work.</summary>
    public static void Check(AppSpec spec, IReadOnlyList<ColourSpec> colours, PluginSpec proxy, PluginRegistry plugins, DiagnosticBag bag)
    {
        ProxyBesideRemoteInstances(colours, proxy, bag);
        foreach (var instancePlugin in colours.Select(c => c.Group.Properties.Owner.Plugin).Distinct())
        {
            object? owner = plugins.FindInstance(instancePlugin) ?? (object?)plugins.FindGroup(instancePlugin);
            if (owner is null || PluginAbilities.HasEndpoints(owner))
            {
                continue;
            }

            var fix = owner is IMayHaveEndpoints
                ? $"make the external plugin {instancePlugin} answer POST {Plugins.Socket.SocketValidation.CapabilitiesPath} with {{\"Endpoints\": true}} and describe each instance's \"Endpoint\" (see README, External plugins), or use an instance plugin whose instances have endpoints (e.g. instance-process)"
                : "use an instance plugin whose instances have endpoints (e.g. instance-process)";
            if (plugins.FindProxy(spec.Proxy.Plugin) is IRoutesToAddresses)
            {
                bag.Add(Errors.InvalidValue, "$.Proxy.Plugin",
                    $"{spec.Proxy.Plugin} routes to instance addresses (host:port), but {instancePlugin} instances have none; {fix}, or leave out Proxy to use proxy-file");
            }

            if (spec.Health is not null)
            {
                bag.Add(Errors.InvalidValue, "$.Health",
                    $"health checks probe each instance's endpoint, but {instancePlugin} instances have none; {fix}, or remove Health (the flavor then judges health)");
            }

            if (spec.Verify is not null)
            {
                bag.Add(Errors.InvalidValue, "$.Verify",
                    $"verification requests each instance's endpoint, but {instancePlugin} instances have none; {fix}, or remove Verify");
            }
        }
    }

    // Containers on another machine have that machine's addresses (127.0.0.1 with host networking): only a proxy in a
    // container on the same engine reaches them, and its checks run there too.
    private static void ProxyBesideRemoteInstances(IReadOnlyList<ColourSpec> colours, PluginSpec proxy, DiagnosticBag bag)
    {
        var proxyHost = proxy.Properties is { ValueKind: JsonValueKind.Object } p && p.TryGetProperty("Container", out var container)
            && container.ValueKind == JsonValueKind.String
                ? DockerHostAddress.Read(p, "$", new DiagnosticBag())?.ToString()
                : null;
        foreach (var (colour, host) in colours.Select(c => (c.Colour, Host: RemoteEngine(c))).Where(c => c.Host is not null).DistinctBy(c => c.Host!.ToString()))
        {
            if (proxyHost != host!.ToString())
            {
                bag.Add(Errors.Conflict, "$.Proxy.Properties",
                    $"the {colour} instances run on the Docker engine at {host}, so their addresses are that machine's: the proxy must run in a container on the same engine (its checks run there too); add \"Container\" and \"Host\": \"{host}\" with its Tls or Ssh to the proxy's properties");
            }
        }
    }

    private static DockerHostAddress? RemoteEngine(ColourSpec colour) =>
        colour.Group.Properties.Owner is { Plugin: State.Target.TargetLocator.DockerInstancePlugin or Plugins.Group.Swarm.SwarmGroupPlugin.PluginName, Properties: { ValueKind: JsonValueKind.Object } properties }
        && DockerHostAddress.Read(properties, "$", new DiagnosticBag()) is { IsRemote: true } host
            ? host
            : null;
}
