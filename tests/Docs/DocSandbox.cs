using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using Deploy.Tests.Fixtures;
using Deploy.Tests.Support;

namespace Deploy.Tests.Docs;

/// <summary>
/// Runs one documented block as README.md's "How the docs are tested" says: in a fresh copy of the repository,
/// with <c>deploy</c> (and <c>dotnet run --project cli --</c>) as the built CLI, port 8080 replaced by a free port and
/// <c>/tmp/</c> by a fresh temp folder, in the block and in the copy's example specs; a block run from examples/swarm
/// deploys to the tests' Swarm. Everything it started is stopped after.
/// </summary>
public sealed partial class DocSandbox : IDisposable
{
    private static readonly HashSet<string> Skipped = new(StringComparer.Ordinal) { "bin", "obj", ".git", ".tools", "node_modules", "TestResults" };

    private readonly string _copy = ProxyFixtures.TempDirectory("deploy-docs-repo-");
    private readonly string _tmp = ProxyFixtures.TempDirectory("deploy-docs-tmp-");
    private readonly string _bin = ProxyFixtures.TempDirectory("deploy-docs-bin-");
    private readonly int _port = ProxyFixtures.FreePort();

    public DocSandbox()
    {
        Copy(Repo.Root, _copy);
        // examples/swarm's files wait for a block run from there (RunAsync): only such a block needs the Swarm started.
        foreach (var file in ExampleFiles().Where(f => !IsSwarmExample(f)))
        {
            File.WriteAllText(file, Substitute(File.ReadAllText(file)));
        }

        var shim = Path.Combine(_bin, "deploy");
        File.WriteAllText(shim, $"#!/bin/sh\nexec dotnet '{CliRunner.CliDll}' \"$@\"\n");
        File.SetUnixFileMode(shim, (UnixFileMode)0b111_101_101);
    }

    /// <summary>The text after the documented substitutions, for a block that does not run on the Swarm.</summary>
    public string Substitute(string text) => Substitute(text, onSwarm: false);

    /// <summary>The text of (or expected from) <paramref name="block"/> after the documented substitutions.</summary>
    public string Substitute(DocBlock block, string text) => Substitute(text, OnSwarm(block));

    private string Substitute(string text, bool onSwarm)
    {
        var local = Port().Replace(Tmp().Replace(text, _tmp + "/"), _port.ToString()).Replace(DockerSocket, DockerTestEngine.Address.Path);
        return onSwarm ? SwarmNames(local) : Remote(local);
    }

    // The Swarm of the docs (a manager reached as DOCKER_HOST, its registry registry.example.com) is the tests' own
    // two-node Swarm (tests/infra/swarm.sh): the blocks run from examples/swarm, and that example's specs.
    private const string SwarmFolder = "examples/swarm";
    private static readonly SwarmCluster Swarm = new();

    private static bool OnSwarm(DocBlock block) => block.RunFrom?.TrimEnd('/') == SwarmFolder;

    private bool IsSwarmExample(string file) => file.StartsWith(Path.Combine(_copy, SwarmFolder) + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    private IEnumerable<string> ExampleFiles() =>
        Directory.EnumerateFiles(Path.Combine(_copy, "examples"), "*", SearchOption.AllDirectories).Where(f => Path.GetExtension(f) is ".json" or ".conf");

    // The Swarm is shared (one per machine), so the example's app `web` gets an ID of this sandbox's own: its services,
    // proxy container and upstream never meet another run's.
    private string SwarmNames(string text)
    {
        _usedSwarm = true;
        var renamed = SwarmApp().Replace(text, _swarmApp);
        return renamed.Contains("registry.example.com", StringComparison.Ordinal) ? renamed.Replace("registry.example.com", Swarm.Registry) : renamed;
    }

    private readonly string _swarmApp = "web" + Guid.NewGuid().ToString("N")[..6];

    private bool _usedSwarm;

    // The remote host of the docs (docker.example.com over SSH, its registry, the key and known_hosts files a CI job would
    // get from secrets) is the tests' own: a network namespace running dockerd and sshd (tests/infra/remote.sh).
    private static readonly string[] RemoteNames = ["docker.example.com", "registry.example.com", "~/.ssh/deploy_key", "~/.ssh/deploy_known_hosts"];

    private string Remote(string text)
    {
        if (!RemoteNames.Any(n => text.Contains(n, StringComparison.Ordinal)))
        {
            return text;
        }

        _usedRemote = true;
        return text.Replace("ssh://deploy@docker.example.com", RemoteDockerHosts.SshHost)
            .Replace("docker.example.com", RemoteDockerHosts.RemoteAddress)
            .Replace("registry.example.com", RemoteDockerHosts.RemoteRegistry)
            .Replace("~/.ssh/deploy_known_hosts", RemoteDockerHosts.SshKnownHosts)
            .Replace("~/.ssh/deploy_key", RemoteDockerHosts.SshKey);
    }

    private bool _usedRemote;

    // Where a doc names the Docker host's usual socket, the tests use their private engine's (never the system's).
    private const string DockerSocket = "/var/run/docker.sock";

    /// <summary>Runs <paramref name="block"/> with <c>bash -e</c> in its folder; returns the exit code, output and trace.</summary>
    public async Task<(int ExitCode, string Output)> RunAsync(DocBlock block, TimeSpan timeout)
    {
        var script = Path.Combine(_tmp, ".doc-block.sh");
        var trace = Path.Combine(_tmp, ".doc-block.trace");
        // `dotnet run --project cli -- ARGS` is the built CLI too: same program, without a build per command.
        File.WriteAllText(script, $$"""
            exec {trace}>'{{trace}}'; BASH_XTRACEFD=$trace; set -x
            dotnet() { if [ "${1-}" = run ] && [ "${2-}" = --project ] && [ "${3-}" = cli ] && [ "${4-}" = -- ]; then shift 4; command deploy "$@"; else command dotnet "$@"; fi; }
            {{Substitute(block, block.Text)}}
            """);
        var info = new ProcessStartInfo("setsid")
        {
            WorkingDirectory = Path.GetFullPath(Path.Combine(_copy, block.RunFrom!)),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "bash", "-e", script })
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment.Remove("DEPLOY_STATE");
        info.Environment.Remove("DEPLOY_FILE_DIR");
        info.Environment["PATH"] = $"{_bin}:{Environment.GetEnvironmentVariable("PATH")}:/usr/sbin:/sbin";
        info.Environment[ProcessScan.Marker] = _copy;
        if (UsesDocker(block))
        {
            // The Docker host is the tests' private engine; container base images come from its registry (the SDK reads
            // MSBuild properties from the environment), which speaks plain HTTP on loopback.
            info.Environment["DOCKER_HOST"] = DockerTestEngine.Host;
            info.Environment["ContainerBaseImage"] = $"{DockerTestEngine.Registry}/dotnet/aspnet:10.0";
            info.Environment["DOTNET_CONTAINER_INSECURE_REGISTRIES"] = DockerTestEngine.Registry;
        }

        if (OnSwarm(block))
        {
            // The tests' Swarm: its manager is the Docker host, and its registry (plain HTTP on the veth address) is
            // where the block publishes. The proxy's image, nginx:1.27, is on the manager already.
            _usedSwarm = true;
            foreach (var file in ExampleFiles().Where(IsSwarmExample))
            {
                File.WriteAllText(file, Substitute(File.ReadAllText(file), onSwarm: true));
            }

            info.Environment["DOCKER_HOST"] = Swarm.Socket;
            info.Environment["DOTNET_CONTAINER_INSECURE_REGISTRIES"] = $"{DockerTestEngine.Registry};{Swarm.Registry}"; // the SDK splits it on ;
        }
        else if (block.Text.Contains("registry.example.com", StringComparison.Ordinal))
        {
            // The remote host's registry is on the namespace's veth address: plain HTTP, as the test registries all are.
            info.Environment["DOTNET_CONTAINER_INSECURE_REGISTRIES"] = $"{DockerTestEngine.Registry};{RemoteDockerHosts.RemoteRegistry}"; // the SDK splits it on ;
        }

        var output = new StringBuilder();
        using var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var exit = -1;
        using (var cts = new CancellationTokenSource(timeout))
        {
            // Not WaitForExitAsync: it also waits for the output pipes, which a background job (`serve &`) keeps open.
            while (!process.HasExited && !cts.IsCancellationRequested)
            {
                await Task.Delay(100);
            }

            if (process.HasExited)
            {
                exit = process.ExitCode;
            }
            else
            {
                lock (output) output.AppendLine($"(timed out after {timeout})");
            }
        }

        StopEverything(process.Id);
        // Now the pipes close: wait (bounded) until the last lines have been read.
        using (var drained = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
        {
            try
            {
                await process.WaitForExitAsync(drained.Token);
            }
            catch (OperationCanceledException)
            {
                lock (output) output.AppendLine("(output still open 10s after the block ended)");
            }
        }
        lock (output)
        {
            var text = output.ToString();
            var traced = File.Exists(trace) ? File.ReadAllText(trace) : "";
            return (exit, $"{text}\n--- trace (bash -x)\n{traced}");
        }
    }

    // The block's own process group (background jobs such as `deploy serve &`), proxies it started, instance processes.
    private void StopEverything(int group)
    {
        Native.Kill(-group, 15);
        foreach (var root in new[] { _tmp, _copy })
        {
            foreach (var pidFile in Directory.EnumerateFiles(root, "*.pid", SearchOption.AllDirectories))
            {
                var signal = Path.GetFileName(pidFile) == "nginx.pid" ? 3 : 15; // nginx: graceful quit
                if (int.TryParse(File.ReadAllText(pidFile).Trim(), out var pid) && pid > 1)
                {
                    Native.Kill(pid, signal);
                }
            }
        }

        ProcessScan.KillAll(_copy);
        Thread.Sleep(300);
        Native.Kill(-group, 9);
        if (_usedDocker)
        {
            RemoveContainersOfExamples(DockerTestEngine.Address, ExampleApps()).GetAwaiter().GetResult();
        }

        if (_usedRemote && Environment.GetEnvironmentVariable("DEPLOY_TEST_REMOTE_SOCKET") is { Length: > 0 })
        {
            RemoveContainersOfExamples(RemoteDockerHosts.RemoteSocketAddress, ExampleApps()).GetAwaiter().GetResult();
        }

        if (_usedSwarm && Environment.GetEnvironmentVariable("DEPLOY_TEST_SWARM_SOCKET") is { Length: > 0 })
        {
            // Only the sandbox's own app: other runs on the shared Swarm may deploy the examples' `web` at the same time.
            RemoveServicesOfApp(Swarm.SocketAddress, _swarmApp).GetAwaiter().GetResult();
            RemoveContainersOfExamples(Swarm.SocketAddress, [_swarmApp]).GetAwaiter().GetResult();
        }
    }

    private bool _usedDocker;

    // A block about containers: it names docker, publishes an image, boots a proxy container or runs in examples/containers.
    private bool UsesDocker(DocBlock block) => _usedDocker |= block.Text.Contains("docker", StringComparison.OrdinalIgnoreCase)
        || block.Text.Contains("PublishContainer", StringComparison.Ordinal) || block.Text.Contains("proxy boot", StringComparison.Ordinal)
        || block.RunFrom!.Contains("containers", StringComparison.Ordinal);

    // The services a block left on the Swarm (a failed block never reached its `deploy destroy`): the app's colours.
    private static async Task RemoveServicesOfApp(Deploy.Engine.Docker.DockerHostAddress manager, string app)
    {
        using var engines = new Deploy.Engine.Docker.DockerEngines();
        var client = await engines.ConnectAsync(manager, CancellationToken.None);
        foreach (var service in await client.Swarm.ListServicesAsync())
        {
            if (service.Spec.Labels?.TryGetValue("deploy.app", out var label) == true && label == app)
            {
                await client.Swarm.RemoveServiceAsync(service.ID);
            }
        }
    }

    // The containers a block left on the engine: those of the apps (instances, proxy, state and lock), not a fixture's.
    private static async Task RemoveContainersOfExamples(Deploy.Engine.Docker.DockerHostAddress engine, IReadOnlyList<string> apps)
    {
        using var engines = new Deploy.Engine.Docker.DockerEngines();
        var client = await engines.ConnectAsync(engine, CancellationToken.None);
        foreach (var label in apps.SelectMany(a => new[] { $"deploy.app={a}", $"deploy.proxy={a}", $"deploy.tag.deploy.app={a}" }))
        {
            var found = await client.Containers.ListContainersAsync(new Docker.DotNet.Models.ContainersListParameters
            {
                All = true,
                Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [label] = true } },
            });
            // Never a test fixture's container (TestContainers names them deploy-test-…): a fixture's nginx booted for app
            // "shop" carries deploy.proxy=shop like the examples' own, and other tests run beside this block.
            foreach (var c in found.Where(c => !c.Names.Any(n => n.TrimStart('/').StartsWith("deploy-test-", StringComparison.Ordinal))))
            {
                await client.Containers.RemoveContainerAsync(c.ID, new Docker.DotNet.Models.ContainerRemoveParameters { Force = true, RemoveVolumes = true });
            }
        }
    }

    // The IDs of the copy's example specs.
    private List<string> ExampleApps() =>
        Directory.EnumerateFiles(Path.Combine(_copy, "examples"), "*.json", SearchOption.AllDirectories)
            .Select(f => { try { return System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(f))?["ID"]?.GetValue<string>(); } catch (Exception) { return null; } })
            .OfType<string>().Distinct().ToList();

    private static void Copy(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }

        foreach (var dir in Directory.EnumerateDirectories(from))
        {
            var name = Path.GetFileName(dir);
            if (!Skipped.Contains(name) && !name.StartsWith(".deploy", StringComparison.Ordinal) && new DirectoryInfo(dir).LinkTarget is null)
            {
                Copy(dir, Path.Combine(to, name));
            }
        }
    }

    public void Dispose()
    {
        foreach (var dir in new[] { _copy, _tmp, _bin })
        {
            try
            {
                Directory.Delete(dir, recursive: true);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }

    // An absolute /tmp/ only: not a folder named tmp inside another path (nginx.conf's @DIR@/tmp/).
    [GeneratedRegex(@"(?<![\w@}/.-])/tmp/")]
    private static partial Regex Tmp();

    [GeneratedRegex(@"\b8080\b")]
    private static partial Regex Port();

    [GeneratedRegex(@"\bweb\b")]
    private static partial Regex SwarmApp();
}
