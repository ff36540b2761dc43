using System.Text.Json;
using Deploy.Tests.Support;

namespace Deploy.Tests.BlueGreen;

/// <summary>The README's main command shape: the quickstart on embedded defaults (file instances, file proxy), with the real CLI.</summary>
public sealed class QuickstartTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly CliRunner _cli;
    private readonly string _spec;

    public QuickstartTests()
    {
        _spec = _dir.Write("app.json", File.ReadAllText(Path.Combine(Repo.Root, "examples", "quickstart", "app.json")));
        _cli = new CliRunner(_dir.Path);
    }

    private JsonElement Proxy => JsonDocument.Parse(File.ReadAllText(Path.Combine(_dir.Path, ".deploy", "proxy", "quickstart.json"))).RootElement;

    [Fact]
    public async Task Apply_TwoVersions_AlternatesColoursAndKeepsStandby()
    {
        var first = await _cli.RunAsync("apply", _spec);
        first.ExitCode.ShouldBe(0, first.ToString());
        first.Stdout.ShouldEndWith("quickstart: blue is live (version 1)\n");
        Proxy.GetProperty("Colour").GetString().ShouldBe("blue");

        var second = await _cli.RunAsync("apply", _spec, "--var", "version=2");
        second.ExitCode.ShouldBe(0, second.ToString());
        second.Stdout.ShouldEndWith("quickstart: green is live (version 2); blue on standby\n");
        Proxy.GetProperty("Colour").GetString().ShouldBe("green");
        Proxy.GetProperty("Backups").GetArrayLength().ShouldBe(2);

        var status = JsonDocument.Parse((await _cli.RunAsync("status", "quickstart", "--json")).Stdout).RootElement;
        status.GetProperty("liveColour").GetString().ShouldBe("green");
        status.GetProperty("standbyColour").GetString().ShouldBe("blue");
        status.GetProperty("colours")[0].GetProperty("version").GetString().ShouldBe("1");
        status.GetProperty("colours")[1].GetProperty("version").GetString().ShouldBe("2");
    }

    [Fact]
    public async Task Apply_SameVersionAgain_NoopWithoutFlip()
    {
        await _cli.RunAsync("apply", _spec);
        var before = File.ReadAllText(Path.Combine(_dir.Path, ".deploy", "proxy", "quickstart.json"));

        var again = await _cli.RunAsync("apply", _spec);

        again.ExitCode.ShouldBe(0);
        again.Stdout.ShouldContain("Noop");
        File.ReadAllText(Path.Combine(_dir.Path, ".deploy", "proxy", "quickstart.json")).ShouldBe(before);
    }

    [Fact]
    public async Task Plan_ChangesNothing()
    {
        var plan = await _cli.RunAsync("plan", _spec, "--var", "version=7");

        plan.ExitCode.ShouldBe(0, plan.ToString());
        plan.Stdout.ShouldContain("quickstart-blue : Managing 2 instances");
        plan.Stdout.ShouldContain("flips nothing -> blue");
        Directory.Exists(Path.Combine(_dir.Path, ".deploy")).ShouldBeFalse();
    }

    [Fact]
    public async Task Rollback_ThenFlip_MovesBetweenColours()
    {
        (await _cli.RunAsync("rollback", _spec)).ExitCode.ShouldBe(1);
        await _cli.RunAsync("apply", _spec);
        var none = await _cli.RunAsync("rollback", "quickstart");
        none.ExitCode.ShouldBe(1);
        none.Stderr.ShouldContain("no standby to roll back to");
        await _cli.RunAsync("apply", _spec, "--var", "version=2");

        var back = await _cli.RunAsync("rollback", "quickstart");

        back.ExitCode.ShouldBe(0, back.ToString());
        back.Stdout.ShouldContain("blue is live (version 1)");
        Proxy.GetProperty("Colour").GetString().ShouldBe("blue");
        (await _cli.RunAsync("flip", "quickstart", "--to", "green")).ExitCode.ShouldBe(0);
        Proxy.GetProperty("Colour").GetString().ShouldBe("green");
        (await _cli.RunAsync("flip", "quickstart", "--to", "purple")).ExitCode.ShouldBe(2);
    }

    [Fact]
    public async Task Apply_NoFlip_ReadyThenManualFlip()
    {
        await _cli.RunAsync("apply", _spec);

        var ready = await _cli.RunAsync("apply", _spec, "--var", "version=2", "--no-flip");

        ready.ExitCode.ShouldBe(0, ready.ToString());
        ready.Stdout.ShouldContain("green is ready");
        Proxy.GetProperty("Colour").GetString().ShouldBe("blue");
        (await _cli.RunAsync("flip", "quickstart")).ExitCode.ShouldBe(0);
        Proxy.GetProperty("Colour").GetString().ShouldBe("green");
    }

    [Fact]
    public async Task Apply_WhileAppLocked_Exit3AndNothingChanged()
    {
        await _cli.RunAsync("apply", _spec);
        var before = File.ReadAllText(Path.Combine(_dir.Path, ".deploy", "proxy", "quickstart.json"));
        using var held = Deploy.Engine.State.LockFile.Acquire(Path.Combine(_dir.Path, ".deploy", "locks"), "app-quickstart", "test", Deploy.Engine.Events.NullEvents.Instance);

        var locked = await _cli.RunAsync("apply", _spec, "--var", "version=2");

        locked.ExitCode.ShouldBe(3, locked.ToString());
        locked.Stderr.ShouldContain("DEPLOY2001");
        File.ReadAllText(Path.Combine(_dir.Path, ".deploy", "proxy", "quickstart.json")).ShouldBe(before);
    }

    [Fact]
    public async Task Destroy_NeedsYesThenRemovesEverything()
    {
        await _cli.RunAsync("apply", _spec);
        await _cli.RunAsync("apply", _spec, "--var", "version=2");

        (await _cli.RunAsync("destroy", "quickstart")).ExitCode.ShouldBe(1);
        var destroyed = await _cli.RunAsync("destroy", "quickstart", "--yes");

        destroyed.ExitCode.ShouldBe(0, destroyed.ToString());
        Directory.GetFiles(Path.Combine(_dir.Path, ".deploy", "instances")).ShouldBeEmpty();
        (await _cli.RunAsync("ls")).Stdout.Trim().ShouldBe("APP  LIVE  VERSION  SPEC");
        (await _cli.RunAsync("status", "quickstart")).ExitCode.ShouldBe(2);
    }

    [Fact]
    public async Task Serve_LostLiveInstance_ReplacedAndProxyRerendered()
    {
        await _cli.RunAsync("apply", _spec);
        var lost = Proxy.GetProperty("Servers")[0].GetString()!;

        await using (var serve = _cli.Start("serve", "--poll-interval", "300ms"))
        {
            File.Delete(Path.Combine(_dir.Path, ".deploy", "instances", lost));
            var deadline = DateTime.UtcNow.AddSeconds(15);
            while (DateTime.UtcNow < deadline && (Proxy.GetProperty("Servers").EnumerateArray().Any(s => s.GetString() == lost) || Proxy.GetProperty("Servers").GetArrayLength() != 2))
            {
                await Task.Delay(200);
            }

            serve.Output.ShouldContain("proxy re-rendered with 2 healthy blue instances");
        }

        Proxy.GetProperty("Colour").GetString().ShouldBe("blue");
        Proxy.GetProperty("Servers").EnumerateArray().Select(s => s.GetString()).ShouldNotContain(lost);
        Directory.GetFiles(Path.Combine(_dir.Path, ".deploy", "instances")).Length.ShouldBe(2);
    }

    public void Dispose() => _dir.Dispose();
}
