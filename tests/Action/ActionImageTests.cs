using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Deploy.Engine.Docker;
using Deploy.Tests.Fixtures;
using Deploy.Tests.Support;
using Docker.DotNet.Models;
using Xunit.Abstractions;

namespace Deploy.Tests.Action;

/// <summary>
/// The Action's image deploying containers as on a self-hosted runner: built from the root Dockerfile and run the way a
/// runner runs a Docker action, with the runner's Docker socket mounted at <c>/var/run/docker.sock</c>, so the spec
/// (examples/containers, no <c>Host</c>) reaches the engine by its default. The image holds no state between runs:
/// what is live comes from the engine. GitHub is Prism, which checks every request against GitHub's description.
/// </summary>
public sealed class ActionImageTests(ActionImageFixture fixture, ITestOutputHelper output) : IClassFixture<ActionImageFixture>, IAsyncLifetime
{
    private readonly TestContainers _containers = new();
    private readonly TempDir _cliDir = new();
    private readonly string _secret = "s3cret-" + Guid.NewGuid().ToString("N");
    private SimulatedRunner _runner = null!;
    private CliRunner _cli = null!;
    private string _app = null!;
    private string _proxy = null!;
    private string _image = null!;
    private int _port;
    private bool _destroyed;

    public async Task InitializeAsync()
    {
        var prism = await fixture.Prism;
        _runner = new SimulatedRunner(prism.ApiUrl, "octo/image-" + Guid.NewGuid().ToString("N")[..8]);
        _proxy = _containers.NewName("action-proxy");
        await WriteSpecAsync(_containers.NewFolder("deploy-action-image-"));
        _runner.Input("spec", "deploy/app.json");

        // The spec names no Host: the CLI on this machine reaches the test engine through DOCKER_HOST, the Action
        // through the socket mounted where the default looks.
        _cli = new CliRunner(_cliDir.Path, new Dictionary<string, string> { ["DOCKER_HOST"] = DockerTestEngine.Host });
        var boot = await _cli.RunAsync("proxy", "boot", SpecFile);
        boot.ExitCode.ShouldBe(0, boot.ToString());
        await ProxyFixtures.WaitForPortAsync(_port);
    }

    private string SpecFile => Path.Combine(_runner.Workspace, "deploy", "app.json");

    [Fact]
    public async Task PlanThenTwoApplies_InTheImageThroughTheMountedSocket_DeployContainersBlueThenGreen()
    {
        var prism = await fixture.Prism;
        var repo = _runner.Context["GITHUB_REPOSITORY"];

        var number = _runner.PullRequestEvent();
        var plan = await RunAsync("plan", "1.0.0");
        plan.Exit.ShouldBe(0, plan.ToString());
        _runner.Outputs()["plan"].ShouldContain("idle: blue -> version 1.0.0");
        _runner.Summary().ShouldContain($"## deploy plan: `{_app}`");
        prism.Exchanges(repo).ShouldContain(e => e.Method == "POST" && e.Uri == $"/api/v3/repos/{repo}/issues/{number}/comments");
        (await ContainersAsync()).ShouldBeEmpty("plan deploys nothing");

        _runner.Context["GITHUB_EVENT_NAME"] = "push";
        _runner.Context["GITHUB_REF"] = "refs/heads/main";
        _runner.Context.Remove("GITHUB_EVENT_PATH");
        var first = await RunAsync("apply", "1.0.0");
        await AssertDeployedAsync(first, live: "blue", previous: "", version: "1.0.0");

        var second = await RunAsync("apply", "2.0.0");
        await AssertDeployedAsync(second, live: "green", previous: "blue", version: "2.0.0");
        var standby = (await ContainersAsync()).Where(c => c.Labels["deploy.tag.deploy.colour"] == "blue").ToList();
        standby.Count.ShouldBe(2, "blue stays as hot standby");
        standby.ShouldAllBe(c => c.State == "running" && c.Labels["deploy.tag.deploy.version"] == "1.0.0");

        ActionEntrypointTests.AssertConforms(prism, repo, atLeast: 2 + 3 + 3);
        ActionEntrypointTests.AssertTokenNeverShown(_runner, plan, first, second);
        AssertSecretNeverShown(plan, first, second);
        var destroy = await _cli.RunAsync("destroy", SpecFile, "--yes");
        destroy.ExitCode.ShouldBe(0, destroy.ToString());
        _destroyed = true;
        (await ContainersAsync()).ShouldBeEmpty("destroy removes both colours");
        output.WriteLine($"image build {fixture.BuildTime.TotalSeconds:0.0} s; plan {plan.Duration.TotalSeconds:0.0} s, " +
                         $"apply blue {first.Duration.TotalSeconds:0.0} s, apply green {second.Duration.TotalSeconds:0.0} s");
    }

    // What one apply must leave: its exit code, outputs and summary; the containers on the engine; the app through the
    // proxy; the state on the engine and none in the workspace.
    private async Task AssertDeployedAsync(EntrypointRun run, string live, string previous, string version)
    {
        run.Exit.ShouldBe(0, run.ToString());
        var outputs = _runner.Outputs();
        outputs["live-colour"].ShouldBe(live);
        outputs["previous-colour"].ShouldBe(previous);
        outputs["version"].ShouldBe(version);
        outputs["changed"].ShouldBe("true");
        outputs["deployment-id"].ShouldNotBeEmpty();
        var summary = _runner.Summary();
        summary.ShouldContain($"## deploy apply: `{_app}`");
        summary.ShouldContain($"| Live colour after | {live} |");
        summary.ShouldContain($"| Version | {version} |");
        summary.ShouldContain($"| Result | {_app}: {live} is live (version {version})");

        var containers = (await ContainersAsync()).Where(c => c.Labels["deploy.tag.deploy.colour"] == live).ToList();
        containers.Count.ShouldBe(2, run.ToString());
        containers.ShouldAllBe(c => c.State == "running" && c.Labels["deploy.tag.deploy.version"] == version && c.Image == _image);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        (await http.GetStringAsync($"http://127.0.0.1:{_port}/")).ShouldBe($"hello from {live} {version}");

        Directory.Exists(Path.Combine(_runner.Workspace, ".deploy")).ShouldBeFalse("the state lives on the engine, never in the runner's workspace");
        var state = await StateOnEngineAsync();
        state.ShouldContain(version);
        state.ShouldNotContain(_secret);
    }

    private async Task<EntrypointRun> RunAsync(string command, string version)
    {
        _runner.Input("command", command).Input("vars", $"version={version}\napi_token={_secret}\n");
        var run = await fixture.RunAsync(_runner, _containers.NewFolder("deploy-action-home-"), _containers.NewName("action-run"));
        output.WriteLine($"--- {command} {version}: exit {run.Exit} in {run.Duration.TotalSeconds:0.0} s\n{run.Stdout}{run.Stderr}");
        return run;
    }

    private void AssertSecretNeverShown(params EntrypointRun[] runs)
    {
        foreach (var run in runs)
        {
            run.Stdout.Split('\n').ShouldContain("::add-mask::" + _secret);
            run.Stdout.Split('\n').Where(l => !l.StartsWith("::add-mask::", StringComparison.Ordinal)).ShouldAllBe(l => !l.Contains(_secret));
            run.Stderr.ShouldNotContain(_secret);
        }

        File.ReadAllText(_runner.OutputFile).ShouldNotContain(_secret);
        _runner.Summary().ShouldNotContain(_secret);
    }

    // The app's instance containers on the engine, found by their labels as Deploy finds them.
    private async Task<IList<ContainerListResponse>> ContainersAsync()
    {
        var client = await _containers.ClientAsync();
        var found = await client.Containers.ListContainersAsync(new ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"deploy.tag.deploy.app={_app}"] = true } },
        });
        found.ShouldAllBe(c => c.Labels.All(l => !l.Value.Contains(_secret)), "a secret is never a label");
        return found;
    }

    private async Task<string> StateOnEngineAsync()
    {
        var bytes = await ContainerFiles.ReadAsync(await _containers.ClientAsync(), $"deploy-state-{_app}", "/state/snapshot.json", CancellationToken.None);
        bytes.ShouldNotBeNull($"the app's state container deploy-state-{_app} holds its snapshot");
        return Encoding.UTF8.GetString(bytes);
    }

    // examples/containers as a user copies it into the repository: the hello image by digest, free ports, a proxy
    // container of its own, a secret in the containers' environment, and no Host (the default socket).
    private async Task WriteSpecAsync(string folder)
    {
        var example = Path.Combine(Repo.Root, "examples", "containers");
        _port = ProxyFixtures.FreePortRange(1);
        var ports = ProxyFixtures.FreePortRange(20);
        var nginxConf = Path.Combine(folder, "nginx.conf");
        File.WriteAllText(nginxConf, File.ReadAllText(Path.Combine(example, "nginx.conf")).Replace("8080", _port.ToString()));

        var spec = JsonNode.Parse(File.ReadAllText(Path.Combine(example, "app.json")))!.AsObject();
        _app = "act" + Guid.NewGuid().ToString("N")[..6];
        spec["ID"] = _app;
        spec["Vars"] = new JsonObject { ["version"] = "1.0.0" };
        spec["Secrets"] = new JsonArray("api_token");
        var instance = spec["Group"]!["Instance"]!["Properties"]!.AsObject();
        _image = await HelloImage.ByDigestAsync();
        instance["Image"] = _image;
        instance["Ports"] = new JsonObject { ["Host"] = $"{ports}-{ports + 19}" };
        instance["Env"]!["API_TOKEN"] = "{{var.api_token}}";
        spec["Health"]!["Deadline"] = "30s";
        spec["Verify"]!["Duration"] = "1s";
        var proxy = spec["Proxy"]!["Properties"]!.AsObject();
        proxy["Container"] = _proxy;
        proxy["Url"] = $"http://127.0.0.1:{_port}/";
        proxy["Boot"]!["Image"] = DockerTestEngine.Nginx;
        proxy["Boot"]!["Mounts"] = new JsonArray($"{nginxConf}:/etc/nginx/nginx.conf:ro"); // a path on the Docker host
        _runner.AddFile("deploy/app.json", spec.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    public async Task DisposeAsync()
    {
        if (_cli is not null && !_destroyed)
        {
            output.WriteLine("--- destroy after a failure\n" + await _cli.RunAsync("destroy", SpecFile, "--yes"));
        }

        // Whatever is left (the test failed before destroy, or destroy failed): instances, state and lock containers.
        var client = await _containers.ClientAsync();
        foreach (var label in _app is null ? [] : new[] { $"deploy.tag.deploy.app={_app}", $"deploy.app={_app}" })
        {
            var left = await client.Containers.ListContainersAsync(new ContainersListParameters
            {
                All = true,
                Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [label] = true } },
            });
            foreach (var c in left)
            {
                await client.Containers.RemoveContainerAsync(c.ID, new ContainerRemoveParameters { Force = true });
            }
        }

        if (_app is not null)
        {
            try
            {
                await client.Volumes.RemoveAsync($"deploy-state-{_app}", force: true);
            }
            catch (Docker.DotNet.DockerApiException)
            {
                // destroy removed it
            }
        }

        await _containers.DisposeAsync(); // the proxy container, and an Action container a timeout left running
        _runner?.Dispose();
        _cliDir.Dispose();
    }
}
