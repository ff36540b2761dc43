using System.Diagnostics;
using Deploy.Engine.Events;
using Deploy.Engine.Groups;
using Deploy.Engine.Planning;
using Deploy.Engine.Plugins;
using Deploy.Engine.Plugins.Flavor;
using Deploy.Engine.Plugins.Instance;
using Deploy.Engine.Plugins.Proxy;
using Deploy.Engine.Spec;

namespace Deploy.Bench;

/// <summary>Converge and plan timings on the in-memory plugin, by group size.</summary>
internal static class EngineBench
{
    public static readonly int[] Sizes = [10, 100, 1000, 10000];

    /// <summary>Median wall time of watching a new group of each size until converged.</summary>
    public static async Task<Dictionary<string, double>> ConvergeAsync(int runs)
    {
        var result = new Dictionary<string, double>();
        foreach (var size in Sizes)
        {
            var samples = new List<double>();
            for (var run = 0; run < runs + 1; run++)
            {
                var dir = Directory.CreateTempSubdirectory("deploy-bench-");
                try
                {
                    var memory = new MemoryInstancePlugin();
                    var plugins = new PluginRegistry([memory], [new VanillaFlavor()], Array.Empty<IProxyPlugin>());
                    var groups = new GroupService(new EngineOptions(Path.Combine(dir.FullName, "state")) { MaxParallel = 16 }, plugins);
                    var file = Path.Combine(dir.FullName, "group.json");
                    await File.WriteAllTextAsync(file, GroupSpec(size, "v1"));
                    var clock = Stopwatch.StartNew();
                    await groups.WatchAsync(file, CancellationToken.None);
                    clock.Stop();
                    if (memory.Count != size)
                    {
                        throw new InvalidOperationException($"converged to {memory.Count}, not {size}");
                    }

                    if (run > 0)
                    {
                        samples.Add(clock.Elapsed.TotalMilliseconds); // run 0 warms the JIT
                    }
                }
                finally
                {
                    dir.Delete(recursive: true);
                }
            }

            result[size.ToString()] = Median(samples);
        }

        return result;
    }

    /// <summary>Median time of planning a rolling update of every instance, by size (pure planner).</summary>
    public static Dictionary<string, double> Plan(int runs)
    {
        var result = new Dictionary<string, double>();
        foreach (var size in Sizes)
        {
            var spec = new GroupSpec("app", new GroupProperties(new Allocation(size, null),
                new PluginSpec("instance-memory", null), new PluginSpec("flavor-vanilla", null), new UpdatingSpec()));
            var observed = Enumerable.Range(1, size).Select(i => new InstanceDescription($"instance-{i}", null,
                new Dictionary<string, string> { [GroupPlanner.GroupTag] = "app", [GroupPlanner.HashTag] = "old" })).ToList();
            // Planning is pure and fast: many samples after enough warm-up calls for the JIT's optimized tier.
            var samples = new List<double>();
            const int warmup = 50;
            for (var run = 0; run < warmup + Math.Max(runs, 200); run++)
            {
                var clock = Stopwatch.StartNew();
                var plan = GroupPlanner.Plan(spec, "new", observed, isNewGroup: false);
                _ = plan.Description;
                clock.Stop();
                if (plan.ToRoll.Count != size)
                {
                    throw new InvalidOperationException("wrong plan");
                }

                if (run >= warmup)
                {
                    samples.Add(clock.Elapsed.TotalMilliseconds);
                }
            }

            result[size.ToString()] = Median(samples);
        }

        return result;
    }

    public static double Median(List<double> samples)
    {
        samples.Sort();
        var mid = samples.Count / 2;
        var m = samples.Count % 2 == 1 ? samples[mid] : (samples[mid - 1] + samples[mid]) / 2;
        return Math.Round(m, 3);
    }

    private static string GroupSpec(int size, string note) =>
        "{\"ID\": \"app\", \"Properties\": {\"Allocation\": {\"Size\": " + size + "}, " +
        "\"Instance\": {\"Plugin\": \"instance-memory\", \"Properties\": {\"Note\": \"" + note + "\"}}, " +
        "\"Flavor\": {\"Plugin\": \"flavor-vanilla\", \"Properties\": {\"UserData\": [\"run\"], \"Labels\": {\"tier\": \"web\"}}}}}";
}
