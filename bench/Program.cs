using System.Diagnostics;
using System.Text.Json;
using Deploy.Bench;

// `dotnet run -c Release --project bench -- --json` prints one JSON object of every figure.
// `--only flip,downtime` runs a subset; `--runs N` sets the engine benches' sample count (and remote's applies, default 3).
var json = args.Contains("--json");
var runs = args.SkipWhile(a => a != "--runs").Skip(1).Select(int.Parse).FirstOrDefault(5);

var benches = new Dictionary<string, Func<Task<Dictionary<string, object>>>>
{
    ["converge"] = async () => new() { ["converge_ms"] = await EngineBench.ConvergeAsync(runs) },
    ["plan"] = () => Task.FromResult(new Dictionary<string, object> { ["plan_ms"] = EngineBench.Plan(runs) }),
    ["quickstart"] = () => QuickstartBench.RunAsync(runs: 9),
    ["flip"] = () => FlipBench.RunAsync(pairs: 25),
    ["downtime"] = DowntimeBench.RunAsync,
    ["fivedeploy"] = () => FiveDeployBench.RunAsync(runs: 3),
    ["msbuild"] = async () => new() { ["msbuild_plan_overhead_ms"] = await MsBuildBench.PlanOverheadAsync() },
    ["containers"] = ContainerBench.RunAsync,
    ["remote"] = () => RemoteBench.RunAsync(args.Contains("--runs") ? runs : 3),
    ["sockets"] = SocketBench.RunAsync,
    // Not in the default run: 50 kill-and-rerun points take about 10 minutes. Ask for it with --only crash.
    ["crash"] = () => CrashBench.RunAsync(points: 50),
    // Not in the default run either: it needs the tests' Swarm (tests/infra/swarm.sh, one per machine) and its variables.
    ["swarm"] = SwarmBench.RunAsync,
};

var only = args.SkipWhile(a => a != "--only").Skip(1).FirstOrDefault()?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
if (only?.FirstOrDefault(name => !benches.ContainsKey(name)) is { } unknown)
{
    Console.Error.WriteLine($"--only: no bench \"{unknown}\"; choose from {string.Join(", ", benches.Keys)} (comma-separated)");
    return 2;
}

var figures = new Dictionary<string, object>();
var errors = new Dictionary<string, string>();
foreach (var (name, run) in benches.Where(b => only is null ? b.Key is not ("crash" or "swarm") : only.Contains(b.Key)))
{
    var clock = Stopwatch.StartNew();
    try
    {
        foreach (var (key, value) in await run())
        {
            figures[key] = value;
        }
    }
    catch (Exception e)
    {
        // One broken bench must not hide the others' figures; the error is part of the output and the exit code.
        errors[name] = e.Message;
        Console.Error.WriteLine($"{name} failed: {e}");
    }

    Console.Error.WriteLine($"{name}: {clock.Elapsed.TotalSeconds:0.0}s");
}

if (errors.Count > 0)
{
    figures["errors"] = errors;
}

if (json)
{
    Console.WriteLine(JsonSerializer.Serialize(figures, new JsonSerializerOptions { WriteIndented = true }));
}
else
{
    foreach (var (name, value) in figures)
    {
        Console.WriteLine($"{name}: {JsonSerializer.Serialize(value)}");
    }
}

return errors.Count > 0 ? 1 : 0;
