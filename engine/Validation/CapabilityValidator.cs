using Deploy.Engine.Apps;
using Deploy.Engine.Diagnostics;
using Deploy.Engine.Plugins;

namespace Deploy.Engine.Validation;

/// <summary>
/// Checks that an app's plugins can work together before anything runs, from the abilities they declare: a proxy that
/// routes to addresses, Health and Verify all need instances with endpoints. So <c>plan</c> fails where <c>apply</c> would.
/// </summary>
public static class CapabilityValidator
{
    /// <summary>Records an error with its path and fix for each combination that cannot work.</summary>
    public static void Check(AppSpec spec, IReadOnlyList<ColourSpec> colours, PluginRegistry plugins, DiagnosticBag bag)
    {
        foreach (var instancePlugin in colours.Select(c => c.Group.Properties.Instance.Plugin).Distinct())
        {
            if (plugins.FindInstance(instancePlugin) is not { } instances || instances is IInstanceEndpoints)
            {
                continue;
            }

            var fix = "use an instance plugin whose instances have endpoints (e.g. instance-process)";
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
}
