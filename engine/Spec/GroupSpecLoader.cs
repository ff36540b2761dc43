using Deploy.Engine.Diagnostics;
using Deploy.Engine.Json;
using Deploy.Engine.Plugins;
using Deploy.Engine.Validation;

namespace Deploy.Engine.Spec;

/// <summary>Loads a group file: reads, parses, validates, and throws one exception holding every located error.</summary>
public static class GroupSpecLoader
{
    /// <summary>The valid group in <paramref name="file"/>, with its raw JSON for committing.</summary>
    public static (GroupSpec Spec, string Json) Load(string file, PluginRegistry plugins) => From(JsonSource.Load(file), plugins);

    /// <summary>The valid group held by an already-loaded source.</summary>
    public static (GroupSpec Spec, string Json) From(JsonSource source, PluginRegistry plugins)
    {
        var bag = new DiagnosticBag();
        var spec = GroupSpecParser.Parse(source.Root, bag);
        if (spec is not null)
        {
            GroupValidator.Validate(spec.Properties, JsonReading.ChildPath(source.Root, "$", "Properties"), plugins, bag);
        }

        if (bag.HasErrors || spec is null)
        {
            throw new DeployException(source.Locate(bag.Items));
        }

        return (spec, source.Root.GetRawText());
    }
}
