using System.Text.Json;
using System.Text.Json.Nodes;
using Deploy.Tests.Fixtures;
using Deploy.Tests.Support;

namespace Deploy.Tests.Plugins.Instance.Docker;

/// <summary>A blue/green app on <c>instance-docker</c>, through the real CLI: apply, apply again (flip), status, destroy.</summary>
public sealed class DockerAppTests : IAsyncLifetime
{
    private const string Secret = "tok-5a7c1e";
    private readonly DockerHarness _h = new();
    private readonly TempDir _dir = new();
    private readonly CliRunner _cli;

    public DockerAppTests()
    {
        _cli = new CliRunner(_dir.Path, new Dictionary<string, string> { ["DEPLOY_VAR_token"] = Secret });
        _h.Track($"{_h.Group}-blue");
        _h.Track($"{_h.Group}-green");
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _h.DisposeAsync();
        _dir.Dispose();
    }

    private string Spec()
    {
        var serve = "mkdir -p /www && echo \"$APP_VERSION\" > /www/version && echo ok > /www/healthz && exec httpd -f -p 127.0.0.1:{{port}} -h /www";
        var spec = new JsonObject
        {
            ["ID"] = _h.Group,
            ["Vars"] = new JsonObject { ["version"] = "1" },
            ["Secrets"] = new JsonArray("token"),
            ["Colours"] = new JsonObject { ["blue"] = new JsonObject(), ["green"] = new JsonObject() },
            ["Group"] = new JsonObject
            {
                ["Allocation"] = new JsonObject { ["Size"] = 2 },
                ["Instance"] = new JsonObject
                {
                    ["Plugin"] = "instance-docker",
                    ["Properties"] = JsonNode.Parse(JsonSerializer.Serialize(new
                    {
                        Host = DockerTestEngine.Host, Image = DockerTestEngine.Busybox, Network = "host", Ports = new { Host = _h.Range }, StopTimeout = "1s",
                        Command = new[] { "sh", "-c", serve }, Env = new { APP_VERSION = "{{var.version}}", TOKEN = "{{var.token}}" },
                    })),
                },
                ["Flavor"] = new JsonObject { ["Plugin"] = "flavor-vanilla", ["Properties"] = new JsonObject() },
            },
            ["Health"] = new JsonObject { ["Path"] = "/healthz", ["Interval"] = "200ms", ["Timeout"] = "2s", ["HealthyThreshold"] = 1, ["Deadline"] = "30s" },
            ["Verify"] = new JsonObject { ["Path"] = "/version", ["Expect"] = "{{var.version}}", ["Duration"] = "300ms" },
        };
        return _dir.Write("app.json", spec.ToJsonString());
    }

    [Fact]
    public async Task Apply_TwoVersions_ServesEachFromContainersThenDestroyRemovesThem()
    {
        var spec = Spec();

        var first = await _cli.RunAsync("apply", spec);
        var second = await _cli.RunAsync("apply", spec, "--var", "version=2");
        var status = await _cli.RunAsync("status", _h.Group, "--json");

        first.ExitCode.ShouldBe(0, first.ToString());
        second.ExitCode.ShouldBe(0, second.ToString());
        status.ExitCode.ShouldBe(0, status.ToString());
        var green = await _h.ContainersAsync($"{_h.Group}-green");
        green.Count.ShouldBe(2);
        green.ShouldAllBe(c => c.State == "running");
        foreach (var container in green)
        {
            var endpoint = Engine.Plugins.Instance.Docker.ContainerLabels.EndpointOf(container.Labels)!;
            (await DockerHarness.GetAsync(endpoint.Url("/version"))).ShouldBe("2");
            status.Stdout.ShouldContain(endpoint.Authority);
            (await _h.InspectAsync(container.ID))!.Config.Env.ShouldContain($"TOKEN={Secret}");
        }

        foreach (var output in new[] { first, second, status })
        {
            (output.Stdout + output.Stderr).ShouldNotContain(Secret);
        }

        Directory.GetFiles(Path.Combine(_dir.Path, ".deploy"), "*", SearchOption.AllDirectories).ShouldAllBe(f => !File.ReadAllText(f).Contains(Secret));

        var destroyed = await _cli.RunAsync("destroy", _h.Group, "--yes");

        destroyed.ExitCode.ShouldBe(0, destroyed.ToString());
        (await _h.ContainersAsync($"{_h.Group}-blue")).ShouldBeEmpty();
        (await _h.ContainersAsync($"{_h.Group}-green")).ShouldBeEmpty();
    }
}
