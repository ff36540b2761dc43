using System.Diagnostics;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Deploy.Tests.Fixtures;
using Deploy.Tests.Support;
using Xunit.Abstractions;

namespace Deploy.Tests.BlueGreen;

/// <summary>
/// Faults of an app deployed as containers (examples/containers: hello behind nginx in its own container, state and
/// lease on the engine), through the real CLI on the test engine: apply killed with SIGKILL, an engine that cannot be
/// reached, an image that is not in the registry, a lease left by a killed run.
/// </summary>
public sealed class ContainerFaultTests(ITestOutputHelper output)
{
    // A killed run's lease outlives it by this much at most; the default (60s) would make every re-run wait a minute.
    private static readonly Dictionary<string, string> ShortLease = new() { ["DEPLOY_LEASE"] = "2s" };

    [Fact]
    public async Task Apply_KilledAtSeededPointsThenRunAgain_ExitsZeroWithWholeColoursAndServesTheNewVersion()
    {
        await using var app = await ContainerApp.CreateAsync(env: ShortLease);
        await app.BootProxyAsync();
        var first = await app.ApplyAsync("1");
        first.ExitCode.ShouldBe(0, first.ToString());

        // Where each kill lands: once the engine holds a container created and not yet started, or a seeded delay
        // after a line apply prints, within the step that follows it.
        var points = new (string During, Func<RunningCli, Task> Until, int MaxDelayMs)[]
        {
            ("converge, as soon as a container is created (between its create and its start, when the kill wins the race)", _ => CreatedAsync(app, "2"), 0),
            ("health", v => WaitForOutputAsync(v, "^converge \\w+: "), 1500),
            ("the flip", v => WaitForOutputAsync(v, "^verify \\w+: \\d+ verified"), 1000),
            ("verify through the proxy, after the flip", v => WaitForOutputAsync(v, "^flip: "), 700),
        };
        var random = new Random(2026);
        for (var i = 0; i < points.Length; i++)
        {
            var (during, until, maxDelay) = points[i];
            var version = (i + 2).ToString();
            var delay = random.Next(0, maxDelay + 1);
            string killed;
            await using (var victim = app.StartApply(version))
            {
                await until(victim);
                await Task.Delay(delay);
                victim.Kill();
                killed = victim.Output;
            }

            var left = string.Join(", ", (await app.InstancesAsync()).GroupBy(c => $"{ContainerApp.Tag(c, "deploy.colour")} {c.State} v{ContainerApp.Tag(c, "deploy.version")}")
                .OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Count()} {g.Key}"));
            var clock = Stopwatch.StartNew();
            var (rerun, refused) = await app.ApplyPastLeaseAsync(version);
            output.WriteLine($"version {version}: killed during {during} (+{delay} ms), leaving {left}; the re-run was refused {refused} times (exit 3, the lease) " +
                $"and then exited {rerun.ExitCode}, {clock.ElapsedMilliseconds} ms in all");

            var context = $"killed during {during}:\n{killed}\n--- re-run\n{rerun}";
            rerun.ExitCode.ShouldBe(0, context);
            await app.ShouldBeWholeAsync(version, context);
            (await app.ServedAsync()).ShouldBe(version, context);
            (await app.LockedAsync()).ShouldBeFalse(context);
        }
    }

    [Theory]
    [InlineData("Host names a socket that does not exist")]
    [InlineData("DOCKER_HOST names the socket of a stopped engine")]
    public async Task Apply_EngineUnreachable_Exit1NamingTheHostAndNothingWritten(string how)
    {
        var stopped = Path.Combine(Path.GetTempPath(), $"deploy-stopped-{Guid.NewGuid():N}.sock");
        var host = how.StartsWith("Host", StringComparison.Ordinal) ? "unix:///nonexistent/docker.sock" : "unix://" + stopped;
        // What a stopped dockerd leaves: its socket file, with nothing listening.
        using (var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            socket.Bind(new UnixDomainSocketEndPoint(stopped));
        }

        try
        {
            await using var app = await ContainerApp.CreateAsync(host, hostInSpec: how.StartsWith("Host", StringComparison.Ordinal));
            var before = Files(app.Folder);

            var result = await app.ApplyAsync("1");

            result.ExitCode.ShouldBe(1, result.ToString());
            var errors = result.Stderr.Trim().Split('\n');
            errors.Length.ShouldBe(1, result.ToString());
            errors[0].ShouldContain($"error DEPLOY3003: cannot reach the Docker engine at {host}: ");
            Files(app.Folder).ShouldBe(before);
            (await TestEngineContainersAsync(app.Id)).ShouldBeEmpty();
        }
        finally
        {
            File.Delete(stopped);
        }
    }

    [Fact]
    public async Task Apply_ImageNotInTheRegistry_FailsBeforeTheFlipNamingItWhileTheLiveColourServes()
    {
        await using var app = await ContainerApp.CreateAsync(env: ShortLease);
        await app.BootProxyAsync();
        var first = await app.ApplyAsync("1");
        first.ExitCode.ShouldBe(0, first.ToString());
        var missing = $"{DockerTestEngine.Registry}/hello:not-pushed-{app.Id}";

        await using var load = new LoadLoop(new Uri(app.ProxyUrl, "version"), clients: 1, maxDuration: TimeSpan.FromMinutes(1));
        var result = await app.ApplyAsync("2", image: missing);
        await Task.Delay(300);
        await load.StopAsync();

        result.ExitCode.ShouldBe(1, result.ToString());
        result.Stderr.ShouldContain($"image {missing} could not be pulled from the registry by the Docker engine at {app.Host}");
        result.Stdout.ShouldNotContain("flip:");
        result.Stderr.ShouldContain("; blue is still live");
        load.Failures.ShouldBeEmpty($"{load.Failures.Count} of {load.Requests} requests failed");
        load.Requests.ShouldBeGreaterThan(10);
        load.Bodies.Keys.Select(k => k.Split('|', 2)[1]).Distinct().ShouldBe(["1"]);
        // The pull fails before any container is created: green has none, blue still runs version 1.
        var colours = await app.ShouldBeWholeAsync("1", result.ToString());
        colours.Keys.ShouldBe(["blue"]);
        (await app.ServedAsync()).ShouldBe("1");
    }

    [Fact]
    public async Task Apply_ImageNotInTheRegistryOverAStandby_FailsAtPrepareAndTheStandbyStaysWhole()
    {
        await using var app = await ContainerApp.CreateAsync(env: ShortLease);
        await app.BootProxyAsync();
        (await app.ApplyAsync("1")).ExitCode.ShouldBe(0);
        (await app.ApplyAsync("2")).ExitCode.ShouldBe(0);
        var missing = $"{DockerTestEngine.Registry}/hello:not-pushed-{app.Id}";

        var result = await app.ApplyAsync("3", image: missing);

        // The pull comes before any step that touches blue, the standby: it keeps both its containers (and stays the
        // proxy's backup), so a rollback to it is still instant.
        result.ExitCode.ShouldBe(1, result.ToString());
        result.Stdout.ShouldContain("prepare blue: failed");
        result.Stdout.ShouldNotContain("isolate blue");
        var colours = await app.ShouldBeWholeAsync("2", result.ToString());
        colours.Keys.Order().ShouldBe(["blue", "green"]);
        (await app.ServedAsync()).ShouldBe("2");
    }

    [Fact]
    public async Task Apply_KilledRightAfterTakingTheLease_NextRunExit3NamingTheHolderThenTakesItOverOnceExpired()
    {
        var lease = TimeSpan.FromSeconds(4);
        await using var app = await ContainerApp.CreateAsync(env: new Dictionary<string, string> { ["DEPLOY_LEASE"] = "4s" });
        await app.BootProxyAsync();

        int holder;
        var clock = Stopwatch.StartNew();
        await using (var victim = app.StartApply("1"))
        {
            (await EventuallyAsync(app.LockedAsync, TimeSpan.FromSeconds(30))).ShouldBeTrue(victim.Output);
            victim.Kill();
            clock.Restart();
            holder = victim.Pid;
        }

        var refused = await app.ApplyAsync("1");
        var refusedAfter = clock.Elapsed;
        await Task.Delay(lease - clock.Elapsed + TimeSpan.FromMilliseconds(500));
        var taken = await app.ApplyAsync("1");
        output.WriteLine($"refused {refusedAfter.TotalMilliseconds:0} ms after the kill; taken over after {clock.ElapsedMilliseconds} ms");

        refusedAfter.ShouldBeLessThan(lease, "the refusing run came too late to see the lease");
        refused.ExitCode.ShouldBe(3, refused.ToString());
        refused.Stderr.ShouldContain($"error DEPLOY2001: {app.Id} is locked on Docker engine {app.Host} by pid {holder} on ");
        refused.Stderr.ShouldContain("retry after the lease expires");
        taken.ExitCode.ShouldBe(0, taken.ToString());
        taken.Stderr.ShouldContain($"warning DEPLOY4002: {app.Id}: the lock on Docker engine {app.Host} held by pid {holder} on ");
        taken.Stderr.ShouldContain("without being renewed (that run was cancelled or killed); taken over");
        await app.ShouldBeWholeAsync("1", taken.ToString());
        (await app.ServedAsync()).ShouldBe("1");
        (await app.LockedAsync()).ShouldBeFalse();
    }

    private static async Task WaitForOutputAsync(RunningCli victim, string pattern)
    {
        var line = new Regex(pattern, RegexOptions.Multiline);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!line.IsMatch(victim.Output))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"apply never printed /{line}/:\n{victim.Output}");
            }

            await Task.Delay(5);
        }
    }

    // Polls the engine as fast as it answers until one of the app's instance containers is in state created.
    // Any container of the new version: "created" when the poll is quick enough, already running when the engine
    // started it between two polls (then the kill lands a little later in the converge).
    private static async Task CreatedAsync(ContainerApp app, string version)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!(await app.InstancesAsync()).Any(c => c.State == "created" || ContainerApp.Tag(c, "deploy.version") == version))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("no container of the app was created within 60 s");
            }
        }
    }

    private static async Task<bool> EventuallyAsync(Func<Task<bool>> condition, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > limit)
            {
                return false;
            }

            await Task.Delay(20);
        }

        return true;
    }

    private static List<string> Files(string folder) =>
        Directory.GetFileSystemEntries(folder, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();

    private static async Task<IList<Docker.DotNet.Models.ContainerListResponse>> TestEngineContainersAsync(string app)
    {
        await using var containers = new TestContainers();
        var client = await containers.ClientAsync();
        var found = new List<Docker.DotNet.Models.ContainerListResponse>();
        foreach (var label in new[] { $"deploy.tag.deploy.app={app}", $"deploy.app={app}", $"deploy.proxy={app}" })
        {
            found.AddRange(await client.Containers.ListContainersAsync(new Docker.DotNet.Models.ContainersListParameters
            {
                All = true,
                Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [label] = true } },
            }));
        }

        return found;
    }
}
