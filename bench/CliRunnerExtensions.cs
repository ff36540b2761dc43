using Deploy.Tests.Support;

namespace Deploy.Bench;

/// <summary>The benches run the real CLI through the tests' <see cref="CliRunner"/>; a bench step must succeed.</summary>
internal static class CliRunnerExtensions
{
    /// <summary>Runs and throws with both outputs unless the exit code is 0; returns stdout.</summary>
    public static async Task<string> RunOkAsync(this CliRunner cli, params string[] args)
    {
        var result = await cli.RunAsync(args);
        return result.ExitCode == 0
            ? result.Stdout
            : throw new InvalidOperationException($"deploy {string.Join(' ', args)} failed: {result}");
    }
}
