using System.Diagnostics;
using Deploy.Tests.Support;

namespace Deploy.Tests.Fixtures;

/// <summary>
/// examples/hello built once per test collection into a temp folder; run it as <c>dotnet &lt;Dll&gt;</c>.
/// A collection fixture rather than a static: xunit owns its lifetime and deletes the build afterwards.
/// </summary>
public sealed class HelloApp : IAsyncLifetime
{
    /// <summary>The collection name to put on test classes that run the app.</summary>
    public const string Collection = "hello app";

    private readonly TempDir _output = new();

    /// <summary>The built <c>hello.dll</c>.</summary>
    public string Dll => Path.Combine(_output.Path, "hello.dll");

    public async Task InitializeAsync()
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Repo.Root,
        };
        foreach (var arg in new[] { "build", Path.Combine("examples", "hello", "hello.csproj"), "-c", "Release", "-o", _output.Path, "-nologo", "-v", "q" })
        {
            info.ArgumentList.Add(arg);
        }

        // The test host's own MSBuild variables would point the nested build at the wrong SDK pieces.
        foreach (var name in new[] { "MSBuildExtensionsPath", "MSBUILD_EXE_PATH", "MSBuildSDKsPath", "MSBuildLoadMicrosoftTargetsReadOnly" })
        {
            info.Environment.Remove(name);
        }

        using var build = Process.Start(info)!;
        var stdout = build.StandardOutput.ReadToEndAsync();
        var stderr = build.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await build.WaitForExitAsync(timeout.Token);
        if (build.ExitCode != 0 || !File.Exists(Dll))
        {
            throw new InvalidOperationException($"building examples/hello failed (exit {build.ExitCode}):\n{await stdout}\n{await stderr}");
        }
    }

    public Task DisposeAsync()
    {
        _output.Dispose();
        return Task.CompletedTask;
    }
}

/// <summary>Shares one <see cref="HelloApp"/> build among every class marked <c>[Collection(HelloApp.Collection)]</c>.</summary>
[CollectionDefinition(HelloApp.Collection)]
public sealed class HelloAppCollection : ICollectionFixture<HelloApp>;
