using Deploy.Engine.Diagnostics;
using Deploy.Engine.Json;
using Deploy.Engine.Plugins;
using Deploy.Engine.Spec;

namespace Deploy.Engine.Validation;

/// <summary>Checks a parsed group's plugin names and lets each plugin check its own properties.</summary>
public static class GroupValidator
{
    /// <summary>Adds every finding about <paramref name="properties"/> (found at <paramref name="path"/>) to <paramref name="bag"/>.</summary>
    public static void Validate(GroupProperties properties, string path, PluginRegistry plugins, DiagnosticBag bag)
    {
        if (properties.Orchestrator is { } orchestrator)
        {
            var orchestratorPath = JsonPath.Child(path, "Orchestrator");
            if (plugins.FindGroup(orchestrator.Plugin) is not { } group)
            {
                bag.Add(Errors.UnknownPlugin, JsonPath.Child(orchestratorPath, "Plugin"), plugins.UnknownMessage("group", orchestrator.Plugin));
            }
            else
            {
                bag.AddRange(group.Validate(orchestrator.Properties, properties.Allocation.DesiredCount, JsonPath.Child(orchestratorPath, "Properties")));
            }

            return;
        }

        var instancePath = JsonPath.Child(path, "Instance");
        var instanceSection = properties.InstanceSection;
        var instance = plugins.FindInstance(instanceSection.Plugin);
        if (instance is null)
        {
            bag.Add(Errors.UnknownPlugin, JsonPath.Child(instancePath, "Plugin"), plugins.UnknownMessage("instance", instanceSection.Plugin));
        }
        else
        {
            bag.AddRange(instance.Validate(instanceSection.Properties, JsonPath.Child(instancePath, "Properties")));
        }

        var flavorPath = JsonPath.Child(path, "Flavor");
        var flavorSection = properties.FlavorSection;
        var flavor = plugins.FindFlavor(flavorSection.Plugin);
        if (flavor is null)
        {
            bag.Add(Errors.UnknownPlugin, JsonPath.Child(flavorPath, "Plugin"), plugins.UnknownMessage("flavor", flavorSection.Plugin));
        }
        else
        {
            bag.AddRange(flavor.Validate(flavorSection.Properties, JsonPath.Child(flavorPath, "Properties")));
        }
    }
}
