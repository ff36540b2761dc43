using System.Text.Json;
using Deploy.Bench;

// `dotnet run -c Release --project bench -- --json` prints one JSON object of every figure.
var json = args.Contains("--json");
var runs = args.SkipWhile(a => a != "--runs").Skip(1).Select(int.Parse).FirstOrDefault(5);

var figures = new Dictionary<string, object>
{
    ["converge_ms"] = await EngineBench.ConvergeAsync(runs),
    ["plan_ms"] = EngineBench.Plan(runs),
};

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
