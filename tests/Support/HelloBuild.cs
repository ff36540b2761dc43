using System.Diagnostics;

namespace Deploy.Tests.Support;

/// <summary>Builds examples/hello (Release) into a folder; shared by the tests' fixture and the benches.</summary>
public static class HelloBuild
{
    /// <summary>Builds into <paramref name="output"/> and returns hello.dll's path; throws with the build output on failure.</summary>
    public static async Task<string> BuildAsync(string output)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Repo.Root,
        };
        foreach (var arg in new[] { "build", Path.Combine("examples", "hello", "hello.csproj"), "-c", "Release", "-o", output, "-nologo", "-v", "q" })
        {
            info.ArgumentList.Add(arg);
        }

        // The test host and `dotnet run` hand down their own MSBuild variables; the nested build must find its SDK pieces itself.
        foreach (var name in new[] { "MSBuildExtensionsPath", "MSBUILD_EXE_PATH", "MSBuildSDKsPath", "MSBuildLoadMicrosoftTargetsReadOnly" })
        {
            info.Environment.Remove(name);
        }

        using var build = Process.Start(info)!;
        var stdout = build.StandardOutput.ReadToEndAsync();
        var stderr = build.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await build.WaitForExitAsync(timeout.Token);
        var dll = Path.Combine(output, "hello.dll");
        if (build.ExitCode != 0 || !File.Exists(dll))
        {
            throw new InvalidOperationException($"building examples/hello failed (exit {build.ExitCode}):\n{await stdout}\n{await stderr}");
        }

        return dll;
    }
}
