using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using Deploy.Engine.Docker;
using Deploy.Tests.Support;

namespace Deploy.Tests.Fixtures;

/// <summary>
/// The one private Docker engine (and registry) of a test run, started by <c>tests/infra/docker.sh</c>; never the system
/// socket. test.sh starts it once per run and exports the variables below. Without them (a test run from an IDE or a
/// plain <c>dotnet test</c>), the first use starts an engine for this test process and stops it when the process exits.
/// </summary>
/// <remarks>
/// Contract with the script: <c>DEPLOY_TEST_DOCKER_HOST</c> (unix:///.../docker.sock), <c>DEPLOY_TEST_REGISTRY</c>
/// (127.0.0.1:PORT), <c>DEPLOY_TEST_DOCKER_DIR</c> (the engine's temp folder), and images already loaded in that
/// engine: <see cref="Busybox"/>, <see cref="Nginx"/> and the .NET stand-ins named as Microsoft names them
/// (<see cref="RuntimeDeps"/>, <see cref="Runtime"/>, <see cref="Aspnet"/>; <see cref="Sdk"/> after
/// <see cref="EnsureSdkAsync"/>). The registry holds <see cref="RegistryAspnet"/> and <see cref="RegistryRuntimeDeps"/>.
/// </remarks>
public static class DockerTestEngine
{
    /// <summary>A 2 MB image of busybox-static: sh, httpd, nc, sleep.</summary>
    public const string Busybox = "local/busybox:1";

    /// <summary>nginx 1.22 and curl on the runtime-deps stand-in, for proxies in containers.</summary>
    public const string Nginx = "local/nginx:1";

    /// <summary>Debian bookworm (debootstrap minbase) with ca-certificates, ICU, OpenSSL and tzdata; user app (APP_UID 1654).</summary>
    public const string RuntimeDeps = "mcr.microsoft.com/dotnet/runtime-deps:10.0";

    /// <summary>RuntimeDeps plus the host's .NET runtime in /usr/share/dotnet.</summary>
    public const string Runtime = "mcr.microsoft.com/dotnet/runtime:10.0";

    /// <summary>Runtime plus ASP.NET Core.</summary>
    public const string Aspnet = "mcr.microsoft.com/dotnet/aspnet:10.0";

    /// <summary>Aspnet plus the host's whole .NET folder (the SDK); in the engine only after <see cref="EnsureSdkAsync"/>.</summary>
    public const string Sdk = "mcr.microsoft.com/dotnet/sdk:10.0";

    private static readonly Lazy<bool> Started = new(StartUnlessGiven, LazyThreadSafetyMode.ExecutionAndPublication);
    private static readonly Lazy<Task> SdkBuilt = new(BuildSdkAsync, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The engine's address, e.g. unix:///tmp/deploy-docker.X/docker.sock.</summary>
    public static string Host => Required("DEPLOY_TEST_DOCKER_HOST");

    /// <summary>The engine's address, typed.</summary>
    public static DockerHostAddress Address => new("unix", Host["unix://".Length..]);

    /// <summary>The test registry, 127.0.0.1:PORT (plain HTTP, which dockerd allows on loopback).</summary>
    public static string Registry => Required("DEPLOY_TEST_REGISTRY");

    /// <summary>The engine's temp folder (data root, sockets, logs/), removed when the engine stops.</summary>
    public static string Directory => Required("DEPLOY_TEST_DOCKER_DIR");

    /// <summary>The aspnet stand-in in the test registry, for <c>-p:ContainerBaseImage=</c>.</summary>
    public static string RegistryAspnet => $"{Registry}/dotnet/aspnet:10.0";

    /// <summary>The runtime-deps stand-in in the test registry.</summary>
    public static string RegistryRuntimeDeps => $"{Registry}/dotnet/runtime-deps:10.0";

    /// <summary>
    /// Makes sure <see cref="Sdk"/> is in the engine: test.sh builds it with the engine; otherwise the first call builds
    /// it (about 20 s), once per test process.
    /// </summary>
    public static Task EnsureSdkAsync() => SdkBuilt.Value;

    private static string Script => Path.Combine(Repo.Root, "tests", "infra", "docker.sh");

    private static string Required(string name)
    {
        _ = Started.Value;
        return Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value
            : throw new InvalidOperationException($"{name} is not set: run the tests with ./test.sh, or start the engine with 'eval \"$(tests/infra/docker.sh start)\"'");
    }

    /// <summary>Starts an engine for this process unless the caller (test.sh) already exported one.</summary>
    private static bool StartUnlessGiven()
    {
        if (Environment.GetEnvironmentVariable("DEPLOY_TEST_DOCKER_HOST") is { Length: > 0 })
        {
            return false;
        }

        // --watch-pid: the script stops the engine by itself if this process dies before ProcessExit runs (a killed testhost).
        InfraScript.StartAndExport(TimeSpan.FromMinutes(20), Script, ["start", "--watch-pid", Environment.ProcessId.ToString()],
            "DEPLOY_TEST_DOCKER_DIR", "DEPLOY_TEST_DOCKER_HOST", "DEPLOY_TEST_REGISTRY");
        return true;
    }

    private static async Task BuildSdkAsync()
    {
        var directory = Directory;
        var (status, stdout, stderr) = await Task.Run(() => InfraScript.Run(TimeSpan.FromMinutes(10), Script, "sdk", directory));
        if (status != 0)
        {
            throw new InvalidOperationException($"tests/infra/docker.sh sdk failed (exit {status}):\n{stderr}\n{stdout}");
        }
    }
}
