using System.Text.Json.Nodes;
using Deploy.Tests.Support;
using Xunit.Abstractions;

namespace Deploy.Tests.BlueGreen;

/// <summary>
/// The controller beside a deploying user: <c>deploy serve</c> at a 20 ms poll while twelve applies of a six-instance
/// app run one after another. One owner per group: serve must leave every colour group an apply is converging alone.
/// </summary>
public sealed class ServeBesideApplyTests : IDisposable
{
    private const int Size = 6;
    private const int SurgeCount = 2;
    private readonly TempDir _dir = new();
    private readonly CliRunner _cli;
    private readonly string _spec;

    private readonly ITestOutputHelper _output;

    public ServeBesideApplyTests(ITestOutputHelper output)
    {
        _output = output;
        _cli = new CliRunner(_dir.Path);
        _spec = _dir.Write("app.json", Spec());
    }

    [Fact]
    public async Task Serve_BesideTwelveApplies_NeverRollsAnAppGroupAndNoGroupExceedsSizePlusSurge()
    {
        var instances = Path.Combine(_dir.Path, ".deploy", "instances");
        Directory.CreateDirectory(instances);
        (await _cli.RunAsync("apply", _spec, "--var", "version=0")).ExitCode.ShouldBe(0);
        var applies = new List<CliResult>();
        string served;
        await using (var sampler = new GroupSizeSampler(instances))
        {
            await using var serve = _cli.Start("serve", "--poll-interval", "20ms");
            await WaitForAsync(() => serve.Output.Contains("serving "));
            for (var version = 1; version <= 12; version++)
            {
                applies.Add(await _cli.RunAsync("apply", _spec, "--var", $"version={version}"));
            }

            var exit = await serve.StopAsync();
            served = serve.Output;
            exit.ShouldBe(0, served);
            await sampler.StopAsync();

            _output.WriteLine($"{sampler.Samples} samples; most instances seen: {string.Join(", ", sampler.Max.Select(m => $"{m.Key} {m.Value}"))}");
            _output.WriteLine($"serve printed {served.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length} lines:\n{served}");
            applies.ShouldAllBe(a => a.ExitCode == 0, string.Join("\n", applies.Where(a => a.ExitCode != 0)));
            sampler.Samples.ShouldBeGreaterThan(100);
            sampler.Max.Keys.ShouldBe(["fight-blue", "fight-green"], ignoreOrder: true);
            sampler.Max.Values.ShouldAllBe(n => n <= Size + SurgeCount, string.Join(", ", sampler.Max));
        }

        served.ShouldEndWith("stopped\n"); // it ran until told to stop: no crash on the way
        served.ShouldNotContain("Destroying instance");
        served.ShouldNotContain("Created instance");
        served.ShouldNotContain("DEPLOY4003");
        served.ShouldNotContain("DEPLOY3001");
        served.ShouldNotContain("Exception");
        applies.ShouldAllBe(a => !a.Stderr.Contains("DEPLOY4003"));
        var status = System.Text.Json.JsonDocument.Parse((await _cli.RunAsync("status", "fight", "--json")).Stdout).RootElement;
        var live = status.GetProperty("colours").EnumerateArray().Single(c => c.GetProperty("colour").GetString() == status.GetProperty("liveColour").GetString());
        live.GetProperty("version").GetString().ShouldBe("12");
    }

    // The quickstart's shape (file instances, file proxy, standby kept) with six instances, rolled two at a time with surge.
    private static string Spec() => new JsonObject
    {
        ["ID"] = "fight",
        ["Vars"] = new JsonObject { ["version"] = "1" },
        ["Colours"] = new JsonObject { ["blue"] = new JsonObject(), ["green"] = new JsonObject() },
        ["Group"] = new JsonObject
        {
            ["Allocation"] = new JsonObject { ["Size"] = Size },
            ["Updating"] = new JsonObject { ["Count"] = SurgeCount, ["Surge"] = true },
            ["Instance"] = new JsonObject
            {
                ["Plugin"] = "instance-file",
                ["Properties"] = new JsonObject { ["Note"] = "app version {{var.version}} on {{colour}}" },
            },
            ["Flavor"] = new JsonObject
            {
                ["Plugin"] = "flavor-vanilla",
                ["Properties"] = new JsonObject { ["UserData"] = new JsonArray("run app {{var.version}} --colour {{colour}}") },
            },
        },
    }.ToJsonString();

    private static async Task WaitForAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition())
        {
            DateTime.UtcNow.ShouldBeLessThan(deadline, "condition not met within 30 s");
            await Task.Delay(20);
        }
    }

    public void Dispose() => _dir.Dispose();
}
