using Deploy.Engine.Diagnostics;

namespace Deploy.Action.Runner;

/// <summary>Whether the step records a GitHub Deployment, and whether failing to record one fails the step.</summary>
internal enum DeploymentMode
{
    /// <summary>No deployment is recorded.</summary>
    Off,
    /// <summary>Recorded when GitHub answers; a GitHub failure only warns.</summary>
    On,
    /// <summary>Recorded, and a GitHub failure fails the step.</summary>
    Required,
}

/// <summary>
/// The step's <c>with:</c> inputs as the runner passes them: <c>INPUT_&lt;NAME&gt;</c>, upper-cased, spaces to
/// underscores, hyphens kept (<c>INPUT_GITHUB-TOKEN</c>). Command default apply; spec required.
/// </summary>
internal sealed record ActionInputs(
    string Command,
    string Spec,
    IReadOnlyDictionary<string, string> Vars,
    string? State,
    string? Timeout,
    bool NoFlip,
    string? To,
    string? Token,
    string? Environment,
    string? EnvironmentUrl,
    DeploymentMode Deployment,
    bool CommentPlan)
{
    /// <summary>The commands the Action runs.</summary>
    public static readonly IReadOnlyList<string> Commands = ["plan", "apply", "status", "flip", "rollback"];

    /// <summary>The value of input <paramref name="name"/>, trimmed; null when unset or empty.</summary>
    public static string? Read(Func<string, string?> env, string name)
    {
        var value = env("INPUT_" + name.Replace(' ', '_').ToUpperInvariant())?.Trim();
        return string.IsNullOrEmpty(value) ? null : value;
    }

    /// <summary>The token alone, read before anything else so it can be masked first.</summary>
    public static string? ReadToken(Func<string, string?> env) => Read(env, "github-token");

    /// <summary>Parses every input; all problems are reported together (bad input, exit 2).</summary>
    public static ActionInputs Parse(Func<string, string?> env)
    {
        var errors = new List<Diagnostic>();
        var command = (Read(env, "command") ?? "apply").ToLowerInvariant();
        if (!Commands.Contains(command))
        {
            errors.Add(Bad($"input command: \"{command}\" is not one of {string.Join(", ", Commands)}"));
        }

        var spec = Read(env, "spec");
        if (spec is null)
        {
            errors.Add(Bad("input spec is required: the path of the app spec, relative to the repository root, e.g. spec: deploy/app.json"));
        }

        var vars = ParseVars(Read(env, "vars"), errors);
        var changesThings = command is "apply" or "flip" or "rollback";
        var deployment = (Read(env, "deployment") ?? (changesThings ? "true" : "false")).ToLowerInvariant() switch
        {
            "true" => DeploymentMode.On,
            "false" => DeploymentMode.Off,
            "required" => DeploymentMode.Required,
            var other => Invalid(errors, $"input deployment: \"{other}\" is not true, false or required", DeploymentMode.Off),
        };

        var inputs = new ActionInputs(
            command, spec ?? "", vars, Read(env, "state"), Read(env, "timeout"),
            Flag(env, "no-flip", false, errors), Read(env, "to"), ReadToken(env), Read(env, "environment"), Read(env, "environment-url"),
            deployment, Flag(env, "comment-plan", command == "plan", errors));
        if (errors.Count > 0)
        {
            throw new DeployException(errors);
        }

        return inputs;
    }

    // One NAME=VALUE per line; blank lines and lines starting with # are skipped.
    private static Dictionary<string, string> ParseVars(string? text, List<Diagnostic> errors)
    {
        var vars = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (raw, index) in (text ?? "").Split('\n').Select((l, i) => (l.TrimEnd('\r'), i)))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var eq = line.IndexOf('=');
            if (eq <= 0)
            {
                // The line may hold a secret value: say where, never what.
                errors.Add(Bad($"input vars, line {index + 1}: not NAME=VALUE; write one per line, e.g. version=2.0.0"));
                continue;
            }

            vars[line[..eq].Trim()] = line[(eq + 1)..];
        }

        return vars;
    }

    private static bool Flag(Func<string, string?> env, string name, bool fallback, List<Diagnostic> errors) =>
        Read(env, name)?.ToLowerInvariant() switch
        {
            null => fallback,
            "true" => true,
            "false" => false,
            var other => Invalid(errors, $"input {name}: \"{other}\" is not true or false", fallback),
        };

    private static T Invalid<T>(List<Diagnostic> errors, string message, T value)
    {
        errors.Add(Bad(message));
        return value;
    }

    private static Diagnostic Bad(string message) => new(Errors.InvalidArgument, message);
}
