using Deploy.Engine.Diagnostics;
using Deploy.Engine.Json;
using Deploy.Engine.Plugins;
using Deploy.Engine.Validation;

namespace Deploy.Engine.Spec;

/// <summary>Loads a group file: reads, parses, validates, and throws one exception holding every located error.</summary>
public static class GroupSpecLoader
{
    /// <summary>The valid group in the user's <paramref name="file"/>, with its raw JSON for committing; unknown fields are errors.</summary>
    public static (GroupSpec Spec, string Json) Load(string file, PluginRegistry plugins)
    {
        var (spec, json) = From(JsonSource.Load(file), plugins, strict: true);
        return (spec with { BaseDirectory = Path.GetDirectoryName(Path.GetFullPath(file)) }, json);
    }

    /// <summary>
    /// The valid group in <paramref name="json"/>, text that came from elsewhere than a file (a plugin socket's request);
    /// <paramref name="source"/> names it in every diagnostic's location. Strict, as a user's file is.
    /// </summary>
    public static (GroupSpec Spec, string Json) Parse(string source, string json, PluginRegistry plugins) =>
        From(JsonSource.Parse(source, System.Text.Encoding.UTF8.GetBytes(json)), plugins, strict: true);

    /// <summary>
    /// The valid group held by an already-loaded source. Committed specs are read with <paramref name="strict"/> off:
    /// the release that committed them accepted their fields (an app colour also carries its Secrets and Tags).
    /// </summary>
    public static (GroupSpec Spec, string Json) From(JsonSource source, PluginRegistry plugins, bool strict = false)
    {
        var bag = new DiagnosticBag();
        var spec = GroupSpecParser.Parse(source.Root, bag, strict);
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
