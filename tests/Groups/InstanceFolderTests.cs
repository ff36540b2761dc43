using Deploy.Tests.Support;

namespace Deploy.Tests.Groups;

/// <summary>
/// A committed group keeps the instance folder it was created with: a later command (serve above all) run with another
/// DEPLOY_FILE_DIR heals and re-renders it where it lives, never in the other folder.
/// </summary>
public sealed class InstanceFolderTests : IDisposable
{
    private readonly TempDir _dir = new();

    public InstanceFolderTests()
    {
        foreach (var file in Directory.GetFiles(Path.Combine(Repo.Root, "examples", "tutorial"), "*.json"))
        {
            _dir.Write(Path.Combine("config", Path.GetFileName(file)), File.ReadAllText(file));
        }

        _dir.Write("app.json", File.ReadAllText(Path.Combine(Repo.Root, "examples", "quickstart", "app.json")));
    }

    private string[] Files(string folder) =>
        Directory.Exists(Path.Combine(_dir.Path, folder)) ? Directory.GetFiles(Path.Combine(_dir.Path, folder), "instance-*") : [];

    private CliRunner Cli(string? fileDir) =>
        new(_dir.Path, fileDir is null ? null : new Dictionary<string, string> { ["DEPLOY_FILE_DIR"] = fileDir });

    [Fact]
    public async Task Serve_WithAnotherFileDir_ReplacesALostInstanceInTheGroupsOwnFolder()
    {
        (await Cli("./first").RunAsync("group", "watch", "config/app-blue-group.json")).ExitCode.ShouldBe(0);
        var lost = Files("first")[0];
        File.Delete(lost);

        await using (var serve = Cli("./second").Start("serve", "--poll-interval", "300ms"))
        {
            await WaitUntil(() => Files("first").Length == 2, TimeSpan.FromSeconds(15), () => serve.Output);
            await Task.Delay(1000); // a few more passes: none may add instances elsewhere
            (await serve.StopAsync()).ShouldBe(0);
        }

        Files("first").ShouldNotContain(lost);
        Files("second").ShouldBeEmpty();
        var inspect = await Cli("./second").RunAsync("group", "inspect", "app-blue");
        inspect.Stdout.Trim().Split('\n').Length.ShouldBe(3, inspect.ToString());
        (await Cli("./second").RunAsync("group", "destroy", "app-blue")).ExitCode.ShouldBe(0);
        Files("first").ShouldBeEmpty();
    }

    [Fact]
    public async Task Serve_WithAnotherFileDir_LeavesAnAppsInstancesAndProxyAsApplied()
    {
        var apply = await Cli(null).RunAsync("apply", "app.json", "--var", "version=2");
        apply.ExitCode.ShouldBe(0, apply.ToString());
        var applied = Files(".deploy/instances").Order().ToArray();
        var proxy = File.ReadAllText(Path.Combine(_dir.Path, ".deploy", "proxy", "quickstart.json"));

        await using (var serve = Cli("./tutorial").Start("serve", "--poll-interval", "300ms"))
        {
            await WaitUntil(() => serve.Output.Contains("serving") || serve.Output.Length > 0, TimeSpan.FromSeconds(15), () => serve.Output);
            await Task.Delay(1500);
            (await serve.StopAsync()).ShouldBe(0, serve.Output);
        }

        Files("tutorial").ShouldBeEmpty();
        Files(".deploy/instances").Order().ShouldBe(applied);
        File.ReadAllText(Path.Combine(_dir.Path, ".deploy", "proxy", "quickstart.json")).ShouldBe(proxy);
    }

    private static async Task WaitUntil(Func<bool> condition, TimeSpan timeout, Func<string> explain)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("condition not met in " + timeout + "\n" + explain());
            }

            await Task.Delay(100);
        }
    }

    public void Dispose() => _dir.Dispose();
}
