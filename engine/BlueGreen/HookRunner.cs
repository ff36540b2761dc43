using Deploy.Engine.Commands;
using Deploy.Engine.Diagnostics;
using Deploy.Engine.Events;

namespace Deploy.Engine.BlueGreen;

/// <summary>
/// Runs an app's hooks as argv commands in the spec's folder with the deploy's context in their environment. What a hook
/// prints on standard output is reported line by line (masked), so a smoke test's verdict shows in the deploy's log.
/// </summary>
public sealed class HookRunner(string workingDirectory, SecretMask mask, IDeployEvents events)
{
    // A hook that prints a lot shows its last lines; the rest stays in its own logs.
    private const int ShownLines = 20;

    private readonly CommandRunner _runner = new();

    /// <summary>Runs every command of a hook in order; returns the first failure's description, or null.</summary>
    public async Task<string?> RunAsync(string hook, IReadOnlyList<IReadOnlyList<string>> commands, IReadOnlyDictionary<string, string> env, CancellationToken cancellationToken)
    {
        foreach (var argv in commands)
        {
            var request = new CommandRequest(argv, workingDirectory, env, TimeSpan.FromMinutes(10));
            var result = await _runner.RunAsync(request, cancellationToken);
            foreach (var line in result.Stdout.Split('\n').Select(l => l.TrimEnd()).Where(l => l.Length > 0).TakeLast(ShownLines))
            {
                events.Info(mask.Apply($"{hook}: {line}"));
            }

            if (!result.Succeeded)
            {
                return mask.Apply($"{hook} hook {result.Describe(request)}");
            }
        }

        return null;
    }

    /// <summary>Runs a hook whose failure is only a warning.</summary>
    public async Task RunOrWarnAsync(string hook, IReadOnlyList<IReadOnlyList<string>> commands, IReadOnlyDictionary<string, string> env, IDeployEvents events, CancellationToken cancellationToken)
    {
        if (await RunAsync(hook, commands, env, cancellationToken) is { } failure)
        {
            events.Warn(new Diagnostic(Errors.HookFailed, failure));
        }
    }

    /// <summary>The environment hooks see.</summary>
    public static Dictionary<string, string> Environment(string app, string colour, string? previous, string? version, IEnumerable<string> endpoints) => new()
    {
        ["DEPLOY_APP"] = app,
        ["DEPLOY_COLOUR"] = colour,
        ["DEPLOY_PREVIOUS_COLOUR"] = previous ?? "",
        ["DEPLOY_VERSION"] = version ?? "",
        ["DEPLOY_ENDPOINTS"] = string.Join(",", endpoints),
    };
}
