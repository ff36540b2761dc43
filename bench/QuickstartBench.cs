using System.Diagnostics;
using Deploy.Tests.Support;

namespace Deploy.Bench;

/// <summary>The README's main command: <c>deploy apply examples/quickstart/app.json --var version=N</c>, CLI start-up included.</summary>
internal static class QuickstartBench
{
    /// <summary>
    /// Median wall time of an apply that deploys to the idle colour and flips (file instances, file proxy), in a temp
    /// folder holding a copy of the quickstart spec. Run 1 is the first deploy ever and warms the disk caches; each
    /// later run bumps the version, so the colours alternate and every run really converges and flips.
    /// </summary>
    public static async Task<Dictionary<string, object>> RunAsync(int runs)
    {
        var dir = Directory.CreateTempSubdirectory("deploy-bench-quickstart-").FullName;
        try
        {
            var spec = Path.Combine(dir, "app.json");
            File.Copy(Path.Combine(Deploy.Tests.Support.Repo.Root, "examples", "quickstart", "app.json"), spec);
            var cli = new CliRunner(dir);

            // The floor under every CLI command: the runtime starting, the CLI parsing and printing its version.
            var startup = new List<double>();
            for (var run = 0; run < 6; run++)
            {
                var clock = Stopwatch.StartNew();
                await cli.RunOkAsync("--version");
                if (run > 0)
                {
                    startup.Add(clock.Elapsed.TotalMilliseconds);
                }
            }

            var samples = new List<double>();
            for (var version = 1; version <= runs + 1; version++)
            {
                var clock = Stopwatch.StartNew();
                var stdout = await cli.RunOkAsync("apply", spec, "--var", $"version={version}");
                clock.Stop();
                if (!stdout.Contains($"is live (version {version})"))
                {
                    throw new InvalidOperationException($"apply version={version} did not flip:\n{stdout}");
                }

                if (version > 1)
                {
                    samples.Add(clock.Elapsed.TotalMilliseconds);
                }
            }

            return new Dictionary<string, object>
            {
                ["apply_quickstart_ms"] = EngineBench.Median(samples),
                ["cli_startup_ms"] = EngineBench.Median(startup),
            };
        }
        finally
        {
            BenchProcesses.KillAll(dir);
            Directory.Delete(dir, recursive: true);
        }
    }
}
