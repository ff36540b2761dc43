using Deploy.Tests.Support;

namespace Deploy.Tests.Plugins.Server;

/// <summary>The life of <c>deploy plugin serve</c> itself: its sockets appear, are exclusive, and go away with it.</summary>
public sealed class PluginServeTests
{
    [Fact]
    public async Task Serve_SecondOnSameDirRefused_StopRemovesSockets()
    {
        await using var served = await ServedPlugins.StartAsync();
        Directory.GetFiles(served.PluginsDir).Select(f => Path.GetFileName(f)!).Order().ToArray().ShouldBe(ServedPlugins.Sockets);

        var second = await served.Cli.RunAsync(["plugin", "serve", "--dir", served.PluginsDir, .. served.Options]);
        second.ExitCode.ShouldBe(2, second.ToString());
        second.Stderr.ShouldContain($"error DEPLOY1012: --dir: {Path.Combine(served.PluginsDir, "group")} is held by a running plugin server");
        (await served.PostAsync("group", "/Group.Inspect/none")).Status.ShouldBe(400); // the first still answers

        (await served.Serve.StopAsync()).ShouldBe(0);
        served.Serve.Output.ShouldContain("stopped");
        Directory.GetFiles(served.PluginsDir).ShouldBeEmpty();
    }

    [Fact]
    public async Task Serve_StaleSocketsOfAKilledServe_AreReplaced()
    {
        await using var served = await ServedPlugins.StartAsync();
        served.Serve.Kill(); // SIGKILL: no chance to remove its sockets
        Directory.GetFiles(served.PluginsDir).Length.ShouldBe(ServedPlugins.Sockets.Length);

        await served.RestartAsync();

        (await served.PostAsync("group", "/Group.Inspect/none")).Status.ShouldBe(400); // answered by the new serve
        (await served.Serve.StopAsync()).ShouldBe(0, served.Serve.Output);
        Directory.GetFiles(served.PluginsDir).ShouldBeEmpty();
    }

    [Fact]
    public async Task Serve_PluginsDirFromEnvironment_IsUsedWithoutDir()
    {
        using var dir = new TempDir();
        var plugins = Path.Combine(dir.Path, "from-env");
        var cli = new CliRunner(dir.Path, new Dictionary<string, string> { ["INFRAKIT_PLUGINS_DIR"] = plugins });
        await using var serve = cli.Start("plugin", "serve");

        using var http = ServedPlugins.Client(Path.Combine(plugins, "group"));
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                using var answer = await http.PostAsync("/Group.Inspect/none", null);
                ((int)answer.StatusCode).ShouldBe(400);
                break;
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }

        (await serve.StopAsync()).ShouldBe(0, serve.Output);
        Directory.GetFiles(plugins).ShouldBeEmpty();
    }

    [Fact]
    public async Task Serve_RegularFileWhereASocketGoes_IsRefusedAndKept()
    {
        using var dir = new TempDir();
        var file = dir.Write("plugins/instance-file", "someone's notes");

        var result = await new CliRunner(dir.Path).RunAsync("plugin", "serve", "--dir", Path.Combine(dir.Path, "plugins"));

        result.ExitCode.ShouldBe(2, result.ToString());
        result.Stderr.ShouldContain($"--dir: {file} exists and is not a socket; move it away or choose another --dir");
        File.ReadAllText(file).ShouldBe("someone's notes");
    }
}
