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
        var instancePath = JsonPath.Child(path, "Instance");
        var instance = plugins.FindInstance(properties.Instance.Plugin);
        if (instance is null)
        {
            bag.Add(Errors.UnknownPlugin, JsonPath.Child(instancePath, "Plugin"), plugins.UnknownMessage("instance", properties.Instance.Plugin));
        }
        else
        {
            bag.AddRange(instance.Validate(properties.Instance.Properties, JsonPath.Child(instancePath, "Properties")));
        }

        var flavorPath = JsonPath.Child(path, "Flavor");
        var flavor = plugins.FindFlavor(properties.Flavor.Plugin);
        if (flavor is null)
        {
            bag.Add(Errors.UnknownPlugin, JsonPath.Child(flavorPath, "Plugin"), plugins.UnknownMessage("flavor", properties.Flavor.Plugin));
        }
        else
        {
            bag.AddRange(flavor.Validate(properties.Flavor.Properties, JsonPath.Child(flavorPath, "Properties")));
        }
    }
}
