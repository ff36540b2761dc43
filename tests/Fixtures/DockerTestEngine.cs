using Deploy.Engine.Docker;

namespace Deploy.Tests.Fixtures;

/// <summary>
/// The one private Docker engine (and registry) of a test run, started by <c>tests/infra/docker.sh</c> (test.sh does it
/// once per run and exports the variables below); never the system socket.
/// </summary>
/// <remarks>
/// Contract with the script: <c>DEPLOY_TEST_DOCKER_HOST</c> (unix:///.../docker.sock), <c>DEPLOY_TEST_REGISTRY</c>
/// (127.0.0.1:PORT), and images already loaded in that engine: <see cref="Busybox"/>, <see cref="Nginx"/> and the
/// .NET stand-ins named as Microsoft names them (<c>mcr.microsoft.com/dotnet/{runtime-deps,runtime,aspnet,sdk}:10.0</c>).
/// </remarks>
public static class DockerTestEngine
{
    /// <summary>A 2 MB image of busybox-static: sh, httpd, nc, sleep.</summary>
    public const string Busybox = "local/busybox:1";

    /// <summary>nginx 1.22 and curl on the runtime-deps stand-in, for proxies in containers.</summary>
    public const string Nginx = "local/nginx:1";

    /// <summary>The engine's address, e.g. unix:///tmp/deploy-docker.X/docker.sock.</summary>
    public static string Host => Required("DEPLOY_TEST_DOCKER_HOST");

    /// <summary>The engine's address, typed.</summary>
    public static DockerHostAddress Address => new("unix", Host["unix://".Length..]);

    /// <summary>The test registry, 127.0.0.1:PORT (plain HTTP, which dockerd allows on loopback).</summary>
    public static string Registry => Required("DEPLOY_TEST_REGISTRY");

    private static string Required(string name) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value
        : throw new InvalidOperationException($"{name} is not set: run the tests with ./test.sh, or start the engine with 'eval \"$(tests/infra/docker.sh start)\"'");
}
