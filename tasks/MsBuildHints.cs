using System.Text.RegularExpressions;

namespace Deploy.Tasks;

/// <summary>
/// The engine's hints name the CLI's <c>--var NAME=VALUE</c>; in a build the same var is <c>-p:DeployVar_NAME=VALUE</c>.
/// Rewriting that one known form here keeps the engine free of any face's syntax.
/// </summary>
internal static partial class MsBuildHints
{
    /// <summary><paramref name="message"/> with every <c>--var NAME</c> written as <c>-p:DeployVar_NAME</c>.</summary>
    public static string Rewrite(string message) =>
        CliVar().Replace(CliSecret().Replace(message, m => $"set {m.Groups["env"].Value} in the build's environment (a -p: value would be in the build log)"),
            m => $"-p:{VarsInput.PropertyPrefix}{m.Groups["name"].Value}");

    // A secret's hint: on a build, only the environment variable; -p: values are recorded in the build log.
    [GeneratedRegex(@"pass (?:it with )?--var [A-Za-z0-9_\-]+=\.\.\. or (?:set )?(?<env>DEPLOY_VAR_[A-Za-z0-9_\-]+)")]
    private static partial Regex CliSecret();

    [GeneratedRegex(@"--var (?<name>[A-Za-z_][A-Za-z0-9_\-]*)")]
    private static partial Regex CliVar();
}
