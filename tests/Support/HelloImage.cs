using System.Diagnostics;
using Deploy.Tests.Fixtures;

namespace Deploy.Tests.Support;

/// <summary>
/// examples/hello published as a container image into the test registry with the SDK's own <c>-t:PublishContainer</c>,
/// once per test process, from a copy of the project (so it never races the builds of examples/hello's own folder).
/// </summary>
public static class HelloImage
{
    private static readonly Lazy<Task<string>> Published = new(() => PublishAsync("hello", "test"));

    /// <summary>The image by digest, e.g. <c>127.0.0.1:5000/hello@sha256:…</c>, as DeployOnPublish passes it.</summary>
    public static Task<string> ByDigestAsync() => Published.Value;

    /// <summary>Publishes a copy of examples/hello as <paramref name="repository"/>:<paramref name="tag"/>; returns the image by digest.</summary>
    public static async Task<string> PublishAsync(string repository, string tag)
    {
        var registry = DockerTestEngine.Registry;
        var project = Directory.CreateTempSubdirectory("hello-image-").FullName;
        foreach (var file in Directory.GetFiles(Path.Combine(Repo.Root, "examples", "hello"), "*.cs*"))
        {
            File.Copy(file, Path.Combine(project, Path.GetFileName(file)));
        }

        // The repository's shared settings (nullable, implicit usings) come with it, as they do in the repository.
        File.Copy(Path.Combine(Repo.Root, "Directory.Build.props"), Path.Combine(project, "Directory.Build.props"));

        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = project,
        };
        foreach (var arg in new[]
                 {
                     "publish", "hello.csproj", "-c", "Release", "-t:PublishContainer", "-nologo", "-v", "q",
                     $"-p:ContainerRegistry={registry}", $"-p:ContainerBaseImage={registry}/dotnet/aspnet:10.0",
                     $"-p:ContainerRepository={repository}", $"-p:ContainerImageTag={tag}", "-getProperty:GeneratedContainerDigest",
                 })
        {
            info.ArgumentList.Add(arg);
        }

        // The SDK speaks TLS to a registry unless told otherwise; the test registry is plain HTTP on loopback.
        info.Environment["DOTNET_CONTAINER_INSECURE_REGISTRIES"] = registry;
        foreach (var name in new[] { "MSBuildExtensionsPath", "MSBUILD_EXE_PATH", "MSBuildSDKsPath", "MSBuildLoadMicrosoftTargetsReadOnly" })
        {
            info.Environment.Remove(name);
        }

        using var publish = Process.Start(info)!;
        var stdout = publish.StandardOutput.ReadToEndAsync();
        var stderr = publish.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await publish.WaitForExitAsync(timeout.Token);
        var digest = (await stdout).Trim().Split('\n').LastOrDefault()?.Trim() ?? "";
        Directory.Delete(project, recursive: true);
        if (publish.ExitCode != 0 || !digest.StartsWith("sha256:", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"publishing examples/hello as a container failed (exit {publish.ExitCode}):\n{digest}\n{await stderr}");
        }

        return $"{registry}/{repository}@{digest}";
    }
}
