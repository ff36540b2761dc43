using System.Diagnostics;
using Deploy.Tests.Fixtures;
using Deploy.Tests.Support;

namespace Deploy.Tests.Action;

/// <summary>
/// The Action's image, built from the root Dockerfile the way a runner builds a Docker action (<c>docker build</c>, the
/// repository root as context, no <c>--pull</c>) on the private engine, once per test class; and run the way a runner
/// runs it (<see cref="RunAsync"/>). Prism (GitHub) and the hello image by digest are made ready beside the build.
/// </summary>
/// <remarks>
/// One documented substitution, on both build and run: <c>--network host</c>, since the test engine has no bridge
/// network (a runner builds on the default bridge and runs the action on the job's bridge network).
/// </remarks>
public sealed class ActionImageFixture : IAsyncLifetime
{
    private Task? _built;
    private Task<PrismServer>? _prism;

    /// <summary>The image's tag, unique to this fixture, removed on dispose.</summary>
    public string Tag { get; } = "deploy-action-test:" + Guid.NewGuid().ToString("N")[..8];

    /// <summary>How long <c>docker build</c> took.</summary>
    public TimeSpan BuildTime { get; private set; }

    /// <summary>Prism behind nginx; throws (fails the test) when it did not start.</summary>
    public Task<PrismServer> Prism => _prism!;

    /// <summary>Completes when the image is built; throws with docker's output when the build failed.</summary>
    public Task Built => _built!;

    public Task InitializeAsync()
    {
        _prism = Task.Run(PrismServer.StartAsync);
        _built = Task.Run(async () =>
        {
            await DockerTestEngine.EnsureSdkAsync(); // the Dockerfile's build stage
            var clock = Stopwatch.StartNew();
            var (exit, stdout, stderr) = await DockerCli.RunAsync(
                ["build", "--network", "host", "-t", Tag, "-f", Path.Combine(Repo.Root, "Dockerfile"), Repo.Root], TimeSpan.FromMinutes(10));
            BuildTime = clock.Elapsed;
            if (exit != 0)
            {
                throw new InvalidOperationException($"docker build of the Action's image failed (exit {exit}):\n{stdout}\n{stderr}");
            }
        });
        return Task.CompletedTask;
    }

    /// <summary>
    /// Runs the image as a runner runs a Docker action: <c>--rm</c>, <c>--workdir /github/workspace</c>, the engine's
    /// socket at <c>/var/run/docker.sock</c>, the workspace, file-commands, workflow (event) and home folders mounted
    /// where the runner mounts them, every variable passed by name (<c>-e NAME</c>, its value in the docker CLI's
    /// environment, so no value shows in a process list) with host paths translated to those mounts, as the runner does.
    /// </summary>
    public async Task<EntrypointRun> RunAsync(SimulatedRunner runner, string home, string containerName)
    {
        await Built;
        var mounts = new List<(string Host, string Container)> { (runner.Workspace, "/github/workspace"), (Path.GetDirectoryName(runner.OutputFile)!, "/github/file_commands"), (home, "/github/home") };
        if (runner.Context.TryGetValue("GITHUB_EVENT_PATH", out var eventFile))
        {
            mounts.Add((Path.GetDirectoryName(eventFile)!, "/github/workflow"));
        }

        var env = runner.Environment.ToDictionary(kv => kv.Key, kv => ToContainerPath(kv.Value, mounts));
        env["HOME"] = "/github/home";
        var args = new List<string> { "run", "--name", containerName, "--rm", "--workdir", "/github/workspace", "--network", "host" };
        foreach (var name in env.Keys.Order(StringComparer.Ordinal))
        {
            args.AddRange(["-e", name]);
        }

        args.AddRange(["-v", $"{DockerTestEngine.Address.Path}:/var/run/docker.sock"]);
        foreach (var (host, container) in mounts)
        {
            args.AddRange(["-v", $"{host}:{container}"]);
        }

        args.Add(Tag);
        var clock = Stopwatch.StartNew();
        var (exit, stdout, stderr) = await DockerCli.RunAsync(args, TimeSpan.FromMinutes(4), env);
        return new EntrypointRun(exit, stdout, stderr, clock.Elapsed);
    }

    // The runner's path translation: a value that is (or starts with) a mounted host folder names the same file inside.
    private static string ToContainerPath(string value, IReadOnlyList<(string Host, string Container)> mounts)
    {
        foreach (var (host, container) in mounts.OrderByDescending(m => m.Host.Length))
        {
            if (value == host || value.StartsWith(host + "/", StringComparison.Ordinal))
            {
                return container + value[host.Length..];
            }
        }

        return value;
    }

    public async Task DisposeAsync()
    {
        if (_built is { IsCompletedSuccessfully: true })
        {
            await DockerCli.RunAsync(["rmi", Tag], TimeSpan.FromMinutes(2));
        }

        try
        {
            await (await Prism).DisposeAsync();
        }
        catch (Exception)
        {
            // It never started; the test that needed it has failed already.
        }
    }
}

/// <summary>The docker CLI against the private engine only, with a CLI config of its own; argv, never a shell string.</summary>
public static class DockerCli
{
    /// <summary>Runs <c>docker -H ENGINE ARGS</c> to completion (bounded); <paramref name="env"/> is added to its environment.</summary>
    public static async Task<(int Exit, string Stdout, string Stderr)> RunAsync(
        IReadOnlyList<string> args, TimeSpan limit, IReadOnlyDictionary<string, string>? env = null)
    {
        var start = new ProcessStartInfo("docker") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("-H");
        start.ArgumentList.Add(DockerTestEngine.Host);
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        start.Environment.Remove("DOCKER_HOST");
        start.Environment.Remove("DOCKER_CONTEXT");
        start.Environment["DOCKER_CONFIG"] = Path.Combine(DockerTestEngine.Directory, "cli");
        start.Environment["DOCKER_BUILDKIT"] = "0";
        foreach (var (k, v) in env ?? new Dictionary<string, string>())
        {
            start.Environment[k] = v;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(limit);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            return (-1, await stdout, await stderr + $"\n(stopped after {limit})");
        }

        return (process.ExitCode, await stdout, await stderr);
    }
}
