using Deploy.Engine.Diagnostics;
using Microsoft.Build.Framework;

namespace Deploy.Tasks;

/// <summary>
/// Reads the <c>Vars</c> input: items with <c>Value</c> metadata (<c>&lt;DeployVar Include="region" Value="eu" /&gt;</c>),
/// or <c>name=value</c> pairs separated by <c>;</c> or <c>,</c> (<c>-p:DeployVars=version=2.0.0,region=eu</c>).
/// A later value of the same name wins.
/// </summary>
public static class VarsInput
{
    private static readonly char[] Separators = [';', ','];

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
                        $"Vars: \"{pair}\" is not name=value; write e.g. -p:DeployVars=version=2.0.0,region=eu, or <DeployVar Include=\"{pair}\" Value=\"...\" />"));
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
