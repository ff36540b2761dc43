using Deploy.Engine.Diagnostics;
using Microsoft.Build.Framework;

namespace Deploy.Tasks;

/// <summary>
/// Reads the vars: items with <c>Value</c> metadata (<c>&lt;DeployVar Include="region" Value="eu" /&gt;</c>),
/// <c>name=value</c> pairs separated by <c>;</c> or <c>,</c> (<c>-p:DeployVars=version=2.0.0%3Bregion=eu</c>), and
/// command-line properties named <c>DeployVar_NAME</c> (<c>-p:DeployVar_version=2.0.0 -p:DeployVar_region=eu</c>), which
/// survive MSBuild whole: <c>-p:</c> splits its value at every <c>,</c> and <c>;</c>. A later value of the same name wins.
/// </summary>
public static class VarsInput
{
    private static readonly char[] Separators = [';', ','];

    /// <summary>The prefix of command-line properties that are vars: <c>-p:DeployVar_version=2.0.0</c>.</summary>
    public const string PropertyPrefix = "DeployVar_";

    /// <summary>
    /// The vars by name: <paramref name="items"/> in order, then <paramref name="properties"/> named
    /// <c>DeployVar_NAME</c> (the build's global properties, i.e. the command line), then the items the targets mark
    /// <c>Optional</c> (the publish step's own <c>version</c> and <c>publish_dir</c>).
    /// </summary>
    public static IReadOnlyDictionary<string, string> Parse(IEnumerable<ITaskItem>? items, IEnumerable<KeyValuePair<string, string>>? properties)
    {
        var all = (items ?? []).ToList();
        static bool IsOptional(ITaskItem i) => string.Equals(i.GetMetadata("Optional"), "true", StringComparison.OrdinalIgnoreCase);
        var vars = new Dictionary<string, string>(Parse(all.Where(i => !IsOptional(i))), StringComparer.Ordinal);
        foreach (var (name, value) in properties ?? [])
        {
            if (name.StartsWith(PropertyPrefix, StringComparison.OrdinalIgnoreCase) && name.Length > PropertyPrefix.Length)
            {
                vars[name[PropertyPrefix.Length..]] = value;
            }
        }

        foreach (var (name, value) in Parse(all.Where(IsOptional)))
        {
            vars[name] = value;
        }

        return vars;
    }

    /// <summary>The vars by name; a pair without <c>=</c> or with an empty name is bad input (DEPLOY1012).</summary>
    public static IReadOnlyDictionary<string, string> Parse(IEnumerable<ITaskItem>? items) =>
        Parse(items?.Select(i => (i.ItemSpec, (string?)i.GetMetadata("Value"))) ?? []);

    /// <summary>
    /// The names of items with <c>Optional="true"</c> metadata: vars the targets pass on their own (the publish step's
    /// <c>version</c> and <c>publish_dir</c>), which a spec need not use.
    /// </summary>
    public static IReadOnlySet<string> Optional(IEnumerable<ITaskItem>? items) =>
        (items ?? []).Where(i => string.Equals(i.GetMetadata("Optional"), "true", StringComparison.OrdinalIgnoreCase))
            .Select(i => i.ItemSpec.Trim()).ToHashSet(StringComparer.Ordinal);

    /// <summary>The same from item specs and their <c>Value</c> metadata (null or empty when absent).</summary>
    public static IReadOnlyDictionary<string, string> Parse(IEnumerable<(string Spec, string? Value)> items)
    {
        var vars = new Dictionary<string, string>(StringComparer.Ordinal);
        var bad = new List<Diagnostic>();
        foreach (var (spec, value) in items)
        {
            if (!string.IsNullOrEmpty(value))
            {
                vars[spec.Trim()] = value;
                continue;
            }

            foreach (var pair in spec.Split(Separators, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var eq = pair.IndexOf('=');
                if (eq <= 0)
                {
                    bad.Add(new Diagnostic(Errors.InvalidArgument,
                        $"Vars: \"{pair}\" is not name=value; write e.g. -p:DeployVar_{pair}=VALUE, or <DeployVar Include=\"{pair}\" Value=\"...\" />"));
                    continue;
                }

                vars[pair[..eq].Trim()] = pair[(eq + 1)..].Trim();
            }
        }

        if (bad.Count > 0)
        {
            throw new DeployException(bad);
        }

        return vars;
    }
}
