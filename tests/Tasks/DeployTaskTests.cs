using Deploy.Tasks;
using Deploy.Tests.Support;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace Deploy.Tests.Tasks;

/// <summary>The task classes run in-process against a recording build engine: inputs, outputs and diagnostics.</summary>
public sealed class DeployTaskTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly RecordingBuildEngine _engine = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async System.Threading.Tasks.Task Cancel_DuringBeforeFlipHook_ReturnsPromptlyAndLiveColourStays()
    {
        var spec = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(Repo.Root, "examples", "quickstart", "app.json")))!.AsObject();
        spec["Hooks"] = new System.Text.Json.Nodes.JsonObject { ["BeforeFlip"] = new System.Text.Json.Nodes.JsonArray("sh", "-c", "if [ \"$DEPLOY_VERSION\" = 2 ]; then sleep 60; fi") };
        _dir.Write("app.json", spec.ToJsonString());
        Task(new DeployApply { Spec = "app.json", ProjectDirectory = _dir.Path, StateDirectory = "state" }).Execute().ShouldBeTrue(string.Join("\n", _engine.ErrorLines));
        var proxy = Path.Combine(_dir.Path, "state", "proxy", "quickstart.json");
        var before = File.ReadAllText(proxy);
        var slow = Task(new DeployApply { Spec = "app.json", ProjectDirectory = _dir.Path, StateDirectory = "state", Vars = [Item("version", "2")] });

        var running = System.Threading.Tasks.Task.Run(slow.Execute);
        await System.Threading.Tasks.Task.Delay(TimeSpan.FromSeconds(3));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        slow.Cancel();
        var result = await running.WaitAsync(TimeSpan.FromSeconds(20));

        clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(5));
        result.ShouldBeFalse();
        File.ReadAllText(proxy).ShouldBe(before);
    }

    [Fact]
    public void Vars_PairsSeparatedBySemicolonsAndCommas_AreAllRead()
    {
        var task = new DeployApply { Vars = [new TaskItem("version=2.0.0,region=eu"), new TaskItem("tier=web;size = 3")] };

        task.ParsedVars().ShouldBe(new Dictionary<string, string> { ["version"] = "2.0.0", ["region"] = "eu", ["tier"] = "web", ["size"] = "3" });
    }

    [Fact]
    public void Vars_ItemsWithValueMetadata_KeepTheValueWhole()
    {
        var task = new DeployPlan { Vars = [Item("greeting", "a=b, c;d"), Item("version", "1.2.3")] };

        task.ParsedVars().ShouldBe(new Dictionary<string, string> { ["greeting"] = "a=b, c;d", ["version"] = "1.2.3" });
    }

    [Fact]
    public void Vars_BothFormsAndRepeats_LaterValueWins()
    {
        var task = new DeployFlip { Vars = [new TaskItem("version=1,region=eu"), Item("version", "2"), new TaskItem("empty=")] };

        task.ParsedVars().ShouldBe(new Dictionary<string, string> { ["version"] = "2", ["region"] = "eu", ["empty"] = "" });
    }

    [Fact]
    public void Execute_VarWithoutEquals_LogsDeploy1012AndFails()
    {
        var task = Task(new DeployPlan { Spec = _dir.Write("app.json", "{}"), Vars = [new TaskItem("version=1,oops")] });

        task.Execute().ShouldBeFalse();

        _engine.Errors.Select(e => e.Code).ShouldBe(["DEPLOY1012"]);
        _engine.Errors[0].Message!.ShouldContain("\"oops\" is not name=value");
    }

    [Fact]
    public void Execute_PlanOfNewApp_SetsOutputsAndLogsPlanAtHighImportance()
    {
        var spec = _dir.Write("app.json", File.ReadAllText(Path.Combine(Repo.Root, "examples", "quickstart", "app.json")));
        var task = Task(new DeployPlan { Spec = "app.json", ProjectDirectory = _dir.Path, StateDirectory = "state", Vars = [Item("version", "9")] });

        task.Execute().ShouldBeTrue(string.Join("\n", _engine.ErrorLines));

        task.Changed.ShouldBeFalse();
        task.PlanText.ShouldContain("idle: blue -> version 9");
        _engine.Messages.ShouldContain(m => m.Importance == MessageImportance.High && m.Message == "quickstart: would deploy version 9 to blue and flip");
        Directory.Exists(Path.Combine(_dir.Path, "state", "instances")).ShouldBeFalse();
        File.Exists(spec).ShouldBeTrue();
    }

    [Fact]
    public void Execute_ApplyThenStatus_ReportsLiveColourAndVersion()
    {
        _dir.Write("app.json", File.ReadAllText(Path.Combine(Repo.Root, "examples", "quickstart", "app.json")));
        var apply = Task(new DeployApply { Spec = "app.json", ProjectDirectory = _dir.Path, StateDirectory = "state", Vars = [new TaskItem("version=3")], Timeout = "1m" });

        apply.Execute().ShouldBeTrue(string.Join("\n", _engine.ErrorLines));
        apply.LiveColour.ShouldBe("blue");
        apply.Version.ShouldBe("3");
        apply.Changed.ShouldBeTrue();

        // Status reuses the vars of the last deploy: no Vars needed.
        var status = Task(new DeployStatus { Spec = Path.Combine(_dir.Path, "app.json"), StateDirectory = Path.Combine(_dir.Path, "state") });
        status.Execute().ShouldBeTrue(string.Join("\n", _engine.ErrorLines));
        status.LiveColour.ShouldBe("blue");
        status.Version.ShouldBe("3");
        status.PlanText.ShouldStartWith("quickstart: live blue, standby none");
    }

    [Fact]
    public void Execute_TimeoutNotADuration_LogsDeploy1009()
    {
        _dir.Write("app.json", File.ReadAllText(Path.Combine(Repo.Root, "examples", "quickstart", "app.json")));
        var task = Task(new DeployApply { Spec = "app.json", ProjectDirectory = _dir.Path, StateDirectory = "state", Timeout = "ten minutes" });

        task.Execute().ShouldBeFalse();

        _engine.Errors.Select(e => e.Code).ShouldBe(["DEPLOY1009"]);
    }

    [Fact]
    public void Execute_SpecWithErrors_LogsEachErrorAtItsLineAndColumn()
    {
        var spec = _dir.Write("bad.json", """
            {
              "ID": "bad",
              "Colours": { "blue": {}, "green": {} },
              "Group": {
                "Allocation": { "Size": -1 },
                "Instance": { "Plugin": "instance-file" },
                "Flavor": { "Plugin": "flavor-nope" }
              }
            }
            """);
        var task = Task(new DeployPlan { Spec = spec, StateDirectory = Path.Combine(_dir.Path, "state") });

        task.Execute().ShouldBeFalse();

        var lines = _engine.ErrorLines.ToList();
        lines.Count.ShouldBe(2);
        lines[0].ShouldBe($"{spec}(5,29): error DEPLOY1003: $.Group.Allocation.Size: must be at least 0 (was -1)");
        // The message goes on to name the folder searched for external plugins' sockets, which depends on HOME.
        lines[1].ShouldStartWith($"{spec}(7,27): error DEPLOY1006: $.Group.Flavor.Plugin: unknown flavor plugin \"flavor-nope\"; known flavor plugins: flavor-vanilla; no socket \"flavor-nope\" in ");
    }

    [Fact]
    public void Release_SameVersionDifferentFiles_RefusesAndKeepsTheRelease()
    {
        var publish = Path.Combine(_dir.Path, "publish");
        _dir.Write("publish/app.dll", "one");
        var releases = Path.Combine(_dir.Path, "releases");
        var first = DeployRelease.Copy(publish, releases, "1.0.0");
        DeployRelease.Copy(publish, releases, "1.0.0").ShouldBe(first); // identical: reused

        _dir.Write("publish/app.dll", "two");
        var task = Task(new DeployRelease { SourceDirectory = publish, ReleasesDirectory = releases, Version = "1.0.0" });

        task.Execute().ShouldBeFalse();
        _engine.Errors.Select(e => e.Code).ShouldBe(["DEPLOY3004"]);
        _engine.Errors[0].Message!.ShouldContain("app.dll changed");
        File.ReadAllText(Path.Combine(first, "app.dll")).ShouldBe("one");
        first.ShouldBe(Path.Combine(releases, "1.0.0"));
    }

    private T Task<T>(T task) where T : Microsoft.Build.Utilities.Task
    {
        task.BuildEngine = _engine;
        return task;
    }

    private static TaskItem Item(string name, string value) => new(name, new Dictionary<string, string> { ["Value"] = value });
}
