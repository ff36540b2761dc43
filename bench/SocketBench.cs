using System.Diagnostics;
using System.Text.Json;
using Deploy.Engine.Groups;
using Deploy.Engine.Events;
using Deploy.Engine.Plugins;
using Deploy.Engine.Plugins.Flavor;
using Deploy.Engine.Plugins.Instance;
using Deploy.Engine.Plugins.Proxy;
using Deploy.Engine.Plugins.Socket;
using Deploy.Tests.Support;

namespace Deploy.Bench;

/// <summary>
/// What an external plugin's socket costs: single calls and a 1,000-instance converge through <c>instance-file</c> served by
/// the real <c>deploy plugin serve</c> process, against the same plugin in-process. <c>plugin serve</c> serves only the
/// built-in plugins (not the memory plugin), so both sides use instance-file; the memory plugin is timed in-process too, as
/// the floor without any disk.
/// </summary>
internal static class SocketBench
{
    private const int Calls = 2000;
    private const int Pairs = 300;
    private const int Warmup = 200;
    private const int Described = 10;
    private const int GroupSize = 1000;
    private const int GroupRuns = 5;

    private static readonly Dictionary<string, string> BenchTags = new() { ["bench"] = "sockets" };

    public static async Task<Dictionary<string, object>> RunAsync()
    {
        // Short: a unix socket path must fit in 107 bytes.
        var root = Directory.CreateTempSubdirectory("dbs-").FullName;
        var result = new Dictionary<string, object>();
        try
        {
            var socketDir = Path.Combine(root, "plugins");
            var cli = new CliRunner(root);
            await using var serve = cli.Start("plugin", "serve", "--dir", socketDir,
                "--state", Path.Combine(root, "serve-state"), "--file-dir", Path.Combine(root, "serve-files"));
            var socket = await WaitForSocketAsync(serve, Path.Combine(socketDir, "instance-file"));
            Console.Error.WriteLine($"sockets: deploy plugin serve (pid {serve.Pid}) serves {socket}");

            // 1. One call: DescribeInstances of 10 tagged instances, and a Provision + Destroy pair.
            using var remote = new SocketInstancePlugin("instance-file", socket);
            var sides = new (string Name, IInstancePlugin Plugin)[]
            {
                ("memory_inprocess", new MemoryInstancePlugin()),
                ("file_inprocess", new FileInstancePlugin(Path.Combine(root, "local-files"), NullEvents.Instance)),
                ("file_socket", remote),
            };
            var describe = new Dictionary<string, object>();
            var pairs = new Dictionary<string, object>();
            foreach (var (name, plugin) in sides)
            {
                var (d, p) = await CallsAsync(plugin);
                describe[name] = d;
                pairs[name] = p;
                Console.Error.WriteLine($"sockets: {name}: describe {Show(d)}; provision+destroy {Show(p)}");
            }

            result["socket_describe_ms"] = describe;
            result["socket_provision_destroy_ms"] = pairs;

            // 2. A group of 1,000 watched to converged, then destroyed: built-in instance-file in-process vs the served one.
            var inProcess = new List<(double Watch, double Destroy, double PeakMb, double GrowthMb)>();
            var throughSocket = new List<(double Watch, double Destroy, double PeakMb, double GrowthMb)>();
            var servePeak = 0.0;
            for (var run = 0; run <= GroupRuns; run++)
            {
                var size = run == 0 ? 100 : GroupSize; // run 0 warms the JIT on both sides
                var local = new PluginRegistry([new FileInstancePlugin(Path.Combine(root, "group-files"), NullEvents.Instance)],
                    [new VanillaFlavor()], Array.Empty<IProxyPlugin>());
                // No built-in instance plugin, so "instance-file" is found as the socket in the folder, as INFRAKIT_PLUGINS_DIR would name it.
                var served = new PluginRegistry([], [new VanillaFlavor()], Array.Empty<IProxyPlugin>(), sockets: new PluginSockets(socketDir));
                var a = await ConvergeAsync(root, $"local-{run}", local, size);
                ResetPeak(serve.Pid);
                var b = await ConvergeAsync(root, $"socket-{run}", served, size);
                if (run > 0)
                {
                    inProcess.Add(a);
                    throughSocket.Add(b);
                    servePeak = Math.Max(servePeak, PeakMb(serve.Pid));
                }
            }

            result["socket_group_1000"] = new Dictionary<string, object>
            {
                ["watch_inprocess_ms"] = EngineBench.Median(inProcess.Select(r => r.Watch).ToList()),
                ["watch_socket_ms"] = EngineBench.Median(throughSocket.Select(r => r.Watch).ToList()),
                ["destroy_inprocess_ms"] = EngineBench.Median(inProcess.Select(r => r.Destroy).ToList()),
                ["destroy_socket_ms"] = EngineBench.Median(throughSocket.Select(r => r.Destroy).ToList()),
                ["peak_ws_inprocess_mb"] = inProcess.Max(r => r.PeakMb),
                ["peak_ws_socket_mb"] = throughSocket.Max(r => r.PeakMb),
                ["peak_growth_inprocess_mb"] = EngineBench.Median(inProcess.Select(r => r.GrowthMb).ToList()),
                ["peak_growth_socket_mb"] = EngineBench.Median(throughSocket.Select(r => r.GrowthMb).ToList()),
                ["peak_ws_serve_process_mb"] = servePeak,
                ["runs"] = GroupRuns,
                ["plugin"] = "instance-file: built-in in-process vs served by deploy plugin serve over its unix socket",
            };

            if (await serve.StopAsync() != 0)
            {
                throw new InvalidOperationException($"plugin serve did not stop cleanly:\n{serve.Output}");
            }

            return result;
        }
        finally
        {
            BenchProcesses.KillAll(root);
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>Median and p99 of <see cref="Calls"/> describes and of <see cref="Pairs"/> provision+destroy pairs, after warm-up.</summary>
    private static async Task<(Dictionary<string, double> Describe, Dictionary<string, double> Pair)> CallsAsync(IInstancePlugin plugin)
    {
        var ct = CancellationToken.None;
        var spec = new InstanceSpec(JsonDocument.Parse("{\"Note\": \"bench\"}").RootElement, BenchTags, "run");
        var kept = new List<string>();
        for (var i = 0; i < Described; i++)
        {
            kept.Add(await plugin.ProvisionAsync(spec, ct));
        }

        var describe = new List<double>();
        for (var i = 0; i < Warmup + Calls; i++)
        {
            var clock = Stopwatch.StartNew();
            var found = await plugin.DescribeAsync(BenchTags, ct);
            clock.Stop();
            if (found.Count != Described)
            {
                throw new InvalidOperationException($"{plugin.Name} described {found.Count} instances, not {Described}");
            }

            if (i >= Warmup)
            {
                describe.Add(clock.Elapsed.TotalMilliseconds);
            }
        }

        var pair = new List<double>();
        var other = new InstanceSpec(spec.Properties, new Dictionary<string, string> { ["bench"] = "pairs" }, "run");
        for (var i = 0; i < Warmup / 4 + Pairs; i++)
        {
            var clock = Stopwatch.StartNew();
            var id = await plugin.ProvisionAsync(other, ct);
            await plugin.DestroyAsync(id, ct);
            clock.Stop();
            if (i >= Warmup / 4)
            {
                pair.Add(clock.Elapsed.TotalMilliseconds);
            }
        }

        foreach (var id in kept)
        {
            await plugin.DestroyAsync(id, ct);
        }

        return (Figures(describe), Figures(pair));
    }

    /// <summary>Watches a new group of <paramref name="size"/> until converged, then destroys it: wall times and this process's peak working set.</summary>
    private static async Task<(double Watch, double Destroy, double PeakMb, double GrowthMb)> ConvergeAsync(string root, string name, PluginRegistry plugins, int size)
    {
        var dir = Path.Combine(root, name);
        Directory.CreateDirectory(dir);
        var groups = new GroupService(new EngineOptions(Path.Combine(dir, "state")) { MaxParallel = 16 }, plugins);
        var file = Path.Combine(dir, "group.json");
        await File.WriteAllTextAsync(file, GroupSpec(size));
        GC.Collect();
        GC.WaitForPendingFinalizers();
        ResetPeak(Environment.ProcessId);
        var before = Kb(Environment.ProcessId, "VmRSS:") / 1024.0;
        var clock = Stopwatch.StartNew();
        await groups.WatchAsync(file, CancellationToken.None);
        var watch = clock.Elapsed.TotalMilliseconds;
        var members = (await groups.InspectAsync("app", CancellationToken.None)).Count;
        if (members != size)
        {
            throw new InvalidOperationException($"{name}: converged to {members} instances, not {size}");
        }

        clock.Restart();
        var destroyed = await groups.DestroyAsync("app", CancellationToken.None);
        var destroy = clock.Elapsed.TotalMilliseconds;
        var peak = PeakMb(Environment.ProcessId);
        if (destroyed != size)
        {
            throw new InvalidOperationException($"{name}: destroyed {destroyed} instances, not {size}");
        }

        Console.Error.WriteLine($"sockets: {name}: {size} watched in {watch:0} ms, destroyed in {destroy:0} ms, peak working set {peak:0} MB ({peak - before:+0.0} MB over the {before:0} MB before)");
        return (Math.Round(watch, 1), Math.Round(destroy, 1), peak, Math.Round(peak - before, 1));
    }

    private static async Task<string> WaitForSocketAsync(RunningCli serve, string socket)
    {
        var clock = Stopwatch.StartNew();
        while (!serve.Output.Contains("serving plugins in"))
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(20))
            {
                throw new InvalidOperationException($"deploy plugin serve did not start within 20 s:\n{serve.Output}");
            }

            await Task.Delay(20);
        }

        return File.Exists(socket) ? socket : throw new InvalidOperationException($"no socket at {socket}:\n{serve.Output}");
    }

    /// <summary>Resets the kernel's peak resident set (VmHWM) of <paramref name="pid"/> to its current size (Linux 4.0+).</summary>
    private static void ResetPeak(int pid) => File.WriteAllText($"/proc/{pid}/clear_refs", "5");

    /// <summary>VmHWM of <paramref name="pid"/>: the peak working set since the last <see cref="ResetPeak"/>, in MB.</summary>
    private static double PeakMb(int pid) => Math.Round(Kb(pid, "VmHWM:") / 1024.0, 1);

    /// <summary>One kB figure of <c>/proc/&lt;pid&gt;/status</c> (e.g. <c>VmRSS:</c>).</summary>
    private static long Kb(int pid, string field)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith(field, StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);
    }

    private static Dictionary<string, double> Figures(List<double> samples)
    {
        var median = EngineBench.Median(samples); // sorts
        return new() { ["median"] = median, ["p99"] = Math.Round(samples[(int)Math.Ceiling(samples.Count * 0.99) - 1], 3) };
    }

    private static string Show(Dictionary<string, double> f) => $"median {f["median"]} ms, p99 {f["p99"]} ms";

    private static string GroupSpec(int size) =>
        "{\"ID\": \"app\", \"Properties\": {\"Allocation\": {\"Size\": " + size + "}, " +
        "\"Instance\": {\"Plugin\": \"instance-file\", \"Properties\": {\"Note\": \"bench\"}}, " +
        "\"Flavor\": {\"Plugin\": \"flavor-vanilla\", \"Properties\": {\"UserData\": [\"run\"], \"Labels\": {\"tier\": \"web\"}}}}}";
}
