using System.Diagnostics;

namespace Deploy.Bench;

/// <summary>
/// What the MSBuild face adds to a build: Deploy.Tasks is packed into a temp feed, a console consumer references it,
/// and <c>dotnet build -t:Build;BlueGreenPlan</c> is timed against <c>dotnet build -t:Build</c>, alternating.
/// </summary>
public static class MsBuildBench
{
    private const int Runs = 5;

    /// <summary>msbuild_plan_overhead_ms: median of Build;BlueGreenPlan minus median of Build, in milliseconds.</summary>
    public static async Task<double> PlanOverheadAsync()
    {
        var dir = Directory.CreateTempSubdirectory("deploy-bench-msbuild-");
        try
        {
            var consumer = await CreateConsumerAsync(dir.FullName);
            string[] build = ["build", "--no-restore", "-nodeReuse:false", "-p:UseSharedCompilation=false", "-tl:off", "-v:q"];
            await RunAsync(consumer, [.. build, "-t:Build"]); // warm: compile once, so every timed build is incremental
            await RunAsync(consumer, [.. build, "-t:Build;BlueGreenPlan"]);
            var plain = new List<double>();
            var plan = new List<double>();
            for (var i = 0; i < Runs; i++)
            {
                plain.Add(await RunAsync(consumer, [.. build, "-t:Build"]));
                plan.Add(await RunAsync(consumer, [.. build, "-t:Build;BlueGreenPlan"]));
            }

            return Math.Round(Median(plan) - Median(plain), 1);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static async Task<string> CreateConsumerAsync(string root)
    {
        var repo = RepoRoot();
        var feed = Path.Combine(root, "feed");
        var version = $"0.0.0-bench.t{DateTime.UtcNow:yyyyMMddHHmmss}";
        await RunAsync(repo, ["pack", Path.Combine(repo, "tasks", "Deploy.Tasks.csproj"), "-o", feed, $"-p:Version={version}",
            "-p:UseArtifactsOutput=true", $"-p:ArtifactsPath={Path.Combine(root, "artifacts")}", "-nodeReuse:false", "-p:UseSharedCompilation=false", "-tl:off"]);
        var consumer = Path.Combine(root, "consumer");
        await RunAsync(root, ["new", "console", "-n", "consumer", "-o", consumer]);
        await File.WriteAllTextAsync(Path.Combine(consumer, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="deploy-tasks-bench" value="{feed}" />
              </packageSources>
            </configuration>
            """);
        var csproj = Path.Combine(consumer, "consumer.csproj");
        await File.WriteAllTextAsync(csproj, (await File.ReadAllTextAsync(csproj)).Replace("</Project>",
            $"  <ItemGroup>\n    <PackageReference Include=\"Deploy.Tasks\" Version=\"{version}\" />\n  </ItemGroup>\n</Project>"));
        File.Copy(Path.Combine(repo, "examples", "quickstart", "app.json"), Path.Combine(consumer, "deploy.json"));
        await RunAsync(consumer, ["restore", "-nodeReuse:false", "-tl:off"], Path.Combine(root, "packages"));
        return consumer;
    }

    // Wall time of one dotnet command in milliseconds; a failure stops the bench with the command's output.
    private static async Task<double> RunAsync(string directory, string[] args, string? packages = null)
    {
        var info = new ProcessStartInfo("dotnet") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        info.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        if (packages is not null)
        {
            info.Environment["NUGET_PACKAGES"] = packages; // the consumer's own cache: no stale copy of the package
        }

        var clock = Stopwatch.StartNew();
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        clock.Stop();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"dotnet {string.Join(' ', args)} exited {process.ExitCode}:\n{await stdout}\n{await stderr}");
        }

        return clock.Elapsed.TotalMilliseconds;
    }

    // Above the bench's binaries, or else above the current directory.
    private static string RepoRoot()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Deploy.sln")))
                {
                    return dir.FullName;
                }
            }
        }

        throw new InvalidOperationException("Deploy.sln not found above " + AppContext.BaseDirectory);
    }

    private static double Median(List<double> samples)
    {
        var sorted = samples.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
