using System.Text.Json;
using Deploy.Tests.Support;

namespace Deploy.Tests.State;

/// <summary>
/// State written by the previous release (tests/State/Upgrade/v1, made by the release at a5c26d1) is read by this one
/// without redeploying anything: an unchanged spec plans and applies as Noop.
/// </summary>
public sealed class UpgradeTests : IDisposable
{
    private readonly TempDir _dir = new();

    public UpgradeTests()
    {
        Copy(Path.Combine(Repo.Root, "tests", "State", "Upgrade", "v1"), _dir.Path);
        var record = Path.Combine(_dir.Path, "state", "apps", "quickstart.json");
        File.WriteAllText(record, File.ReadAllText(record).Replace("/tmp/upg/", _dir.Path + "/"));
    }

    private Task<CliResult> Deploy(params string[] args) => new CliRunner(_dir.Path).RunAsync([.. args, "--state", "state"]);

    [Fact]
    public async Task Plan_UnchangedSpecOnPreviousReleaseState_Noop()
    {
        var plan = await Deploy("plan", "quickstart/app.json", "--var", "version=2", "--json");

        plan.ExitCode.ShouldBe(0, plan.ToString());
        var result = JsonDocument.Parse(plan.Stdout).RootElement;
        result.GetProperty("outcome").GetString().ShouldBe("noop", plan.Stdout);
        result.GetProperty("liveColour").GetString().ShouldBe("green");
    }

    [Fact]
    public async Task Apply_UnchangedSpecOnPreviousReleaseState_NoopAndStateStampedWithFormat()
    {
        var instances = Directory.GetFiles(Path.Combine(_dir.Path, "state", "instances")).Order().ToList();

        var apply = await Deploy("apply", "quickstart/app.json", "--var", "version=2", "--json");

        apply.ExitCode.ShouldBe(0, apply.ToString());
        JsonDocument.Parse(apply.Stdout).RootElement.GetProperty("outcome").GetString().ShouldBe("noop");
        Directory.GetFiles(Path.Combine(_dir.Path, "state", "instances")).Order().ShouldBe(instances);
        File.ReadAllText(Path.Combine(_dir.Path, "state", "format.json")).ShouldContain("\"Format\":2");
        var status = JsonDocument.Parse((await Deploy("status", "quickstart", "--json")).Stdout).RootElement;
        status.GetProperty("liveColour").GetString().ShouldBe("green");
        status.GetProperty("colours")[1].GetProperty("version").GetString().ShouldBe("2");
    }

    [Fact]
    public async Task GroupDescribe_SeedGroupOnPreviousReleaseState_Noop()
    {
        var describe = await Deploy("group", "describe", "tutorial/app-blue-group.json");

        describe.ExitCode.ShouldBe(0, describe.ToString());
        describe.Stdout.ShouldContain("app-blue : Noop");
    }

    [Fact]
    public async Task Plan_StateFromNewerFormat_RefusedClearly()
    {
        File.WriteAllText(Path.Combine(_dir.Path, "state", "format.json"), "{\"Format\": 99}");

        var plan = await Deploy("plan", "quickstart/app.json", "--var", "version=2");

        plan.ExitCode.ShouldBe(1, plan.ToString());
        plan.Stderr.ShouldContain("was written by a newer Deploy (format 99");
    }

    private static void Copy(string from, string to)
    {
        foreach (var dir in Directory.GetDirectories(from, "*", SearchOption.AllDirectories))
        {
            Directory.CreateDirectory(dir.Replace(from, to));
        }

        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            File.Copy(file, file.Replace(from, to), overwrite: true);
        }
    }

    public void Dispose() => _dir.Dispose();
}
