using Deploy.Engine.Docker;
using Deploy.Tests.Support;

namespace Deploy.Tests.Fixtures;

/// <summary>
/// A real two-node Docker Swarm, started by <c>tests/infra/swarm.sh</c> beside the <see cref="DockerTestEngine"/>: a manager
/// dockerd on the host (its own, not the Docker engine, which tests restart) and a worker dockerd in a network namespace,
/// joined over a veth pair (manager end <see cref="ManagerAddress"/> 10.200.0.1, worker <see cref="WorkerAddress"/>
/// 10.200.0.2), with a 1 s dispatcher heartbeat so a lost node is marked Down within seconds. test.sh starts it once per
/// run and exports the variables below. Without them (a test run from an IDE or a plain <c>dotnet test</c>), the first use
/// starts it for this test process (after the Docker engine) and stops it when the process exits.
/// </summary>
/// <remarks>
/// Both nodes pull from <see cref="Registry"/>, which serves the storage of <see cref="DockerTestEngine.Registry"/>: push
/// an image there, then name it <c>{Registry}/repo@sha256:...</c> in a service. The manager engine also holds
/// <see cref="DockerTestEngine.Nginx"/> (and nginx:1.27) for a proxy container with <c>--network host</c>. There is no
/// IPVS in this kernel, so no routing mesh and no VIPs: services use <c>--network host</c> with a port per task
/// (<c>PORT=182{{printf "%02s" .Task.Slot}}</c>: the slot is a string, <c>%02d</c> renders <c>%!d(string=01)</c>), or
/// <c>--publish mode=host</c>, and apps listen on all interfaces (hello: <c>HOST=0.0.0.0</c>). The cluster is one per
/// machine and shared: tests that use it join <see cref="Collection"/>, remove the services they create, and heal what
/// they cut.
/// </remarks>
public sealed class SwarmCluster : IAsyncLifetime
{
    /// <summary>The collection of the tests that use the swarm: one at a time, since a cut worker is down for all of them.</summary>
    public const string Collection = "swarm cluster";

    private static readonly Lazy<bool> Started = new(StartUnlessGiven, LazyThreadSafetyMode.ExecutionAndPublication);
    private int _cut; // 1 while a CutWorkerAsync has not been healed: DisposeAsync heals it for the tests after

    /// <summary>The manager engine, <c>unix:///.../manager/docker.sock</c>: where swarm commands (services, nodes) go.</summary>
    public string Socket => Required("DEPLOY_TEST_SWARM_SOCKET");

    /// <summary>The manager engine, typed.</summary>
    public DockerHostAddress SocketAddress => new("unix", Socket["unix://".Length..]);

    /// <summary>The worker engine's unix socket as the host sees it, for test assertions (its containers, its images).</summary>
    public string WorkerSocket => Required("DEPLOY_TEST_SWARM_WORKER_SOCKET");

    /// <summary>The worker engine, typed.</summary>
    public DockerHostAddress WorkerSocketAddress => new("unix", WorkerSocket["unix://".Length..]);

    /// <summary>10.200.0.1: the manager's end of the veth pair, where its <c>--network host</c> tasks serve (on the host).</summary>
    public string ManagerAddress => Required("DEPLOY_TEST_SWARM_MANAGER_ADDRESS");

    /// <summary>10.200.0.2: the worker's address, where its <c>--network host</c> tasks serve when they listen on all interfaces.</summary>
    public string WorkerAddress => Required("DEPLOY_TEST_SWARM_WORKER_ADDRESS");

    /// <summary>The manager node's hostname, for <c>node.hostname==</c> placement constraints.</summary>
    public string ManagerNode => Required("DEPLOY_TEST_SWARM_MANAGER_NODE");

    /// <summary>The worker node's hostname.</summary>
    public string WorkerNode => Required("DEPLOY_TEST_SWARM_WORKER_NODE");

    /// <summary>10.200.0.1:PORT, plain HTTP, open, serving the test registry's storage; both engines treat 10.200.0.0/24 as insecure.</summary>
    public string Registry => Required("DEPLOY_TEST_SWARM_REGISTRY");

    /// <summary>The worker's network namespace (<c>deploy-sw-XXXXXX</c>).</summary>
    public string Namespace => Required("DEPLOY_TEST_SWARM_NAMESPACE");

    /// <summary>The host end of the veth pair to the worker.</summary>
    public string Veth => Required("DEPLOY_TEST_SWARM_VETH");

    /// <summary>The swarm's temp folder (engines' roots, sockets, logs/), removed when it stops.</summary>
    public string Directory => Required("DEPLOY_TEST_SWARM_DIR");

    private static string Script => Path.Combine(Repo.Root, "tests", "infra", "swarm.sh");

    public Task InitializeAsync()
    {
        _ = Started.Value;
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        if (Volatile.Read(ref _cut) == 1)
        {
            await HealWorkerAsync();
        }
    }

    /// <summary>
    /// Sets the worker's link down (both veth ends): the worker keeps running but neither sends nor receives, and the
    /// manager marks it Down within a few seconds (about 2 s measured). <see cref="HealWorkerAsync"/> undoes it.
    /// </summary>
    public async Task CutWorkerAsync()
    {
        Volatile.Write(ref _cut, 1);
        await RunAsync("cut");
    }

    /// <summary>Sets the worker's link up again: it reconnects by itself and is Ready again within a second or so.</summary>
    public async Task HealWorkerAsync()
    {
        await RunAsync("heal");
        Volatile.Write(ref _cut, 0);
    }

    private async Task RunAsync(string command)
    {
        var directory = Directory;
        var (status, stdout, stderr) = await Task.Run(() => InfraScript.Run(TimeSpan.FromMinutes(1), Script, command, directory));
        if (status != 0)
        {
            throw new InvalidOperationException($"tests/infra/swarm.sh {command} failed (exit {status}):\n{stderr}\n{stdout}");
        }
    }

    private static string Required(string name)
    {
        _ = Started.Value;
        return Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value
            : throw new InvalidOperationException($"{name} is not set: run the tests with ./test.sh, or start the swarm with 'eval \"$(tests/infra/swarm.sh start --docker-dir \"$DEPLOY_TEST_DOCKER_DIR\")\"'");
    }

    /// <summary>Starts the swarm for this process unless the caller (test.sh) already exported it.</summary>
    private static bool StartUnlessGiven()
    {
        if (Environment.GetEnvironmentVariable("DEPLOY_TEST_SWARM_SOCKET") is { Length: > 0 })
        {
            return false;
        }

        // The Docker engine first (started here too when not given): its registry storage and proxy images are shared.
        var dockerDirectory = DockerTestEngine.Directory;

        // --watch-pid: the script stops everything by itself if this process dies before ProcessExit runs (a killed testhost).
        InfraScript.StartAndExport(TimeSpan.FromMinutes(3), Script, ["start", "--docker-dir", dockerDirectory, "--watch-pid", Environment.ProcessId.ToString()],
            "DEPLOY_TEST_SWARM_DIR", "DEPLOY_TEST_SWARM_SOCKET", "DEPLOY_TEST_SWARM_WORKER_SOCKET", "DEPLOY_TEST_SWARM_REGISTRY");
        return true;
    }
}

/// <summary>Shares one <see cref="SwarmCluster"/> among every class marked <c>[Collection(SwarmCluster.Collection)]</c>.</summary>
[CollectionDefinition(SwarmCluster.Collection)]
public sealed class SwarmClusterCollection : ICollectionFixture<SwarmCluster>;
