using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Deploy.Engine.Diagnostics;
using Deploy.Engine.Docker;
using Deploy.Engine.Planning;
using Deploy.Engine.Plugins.Instance.Docker;
using Deploy.Engine.Plugins.Proxy.Container;
using Deploy.Tests.Support;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace Deploy.Tests.Fixtures;

/// <summary>
/// examples/containers with an ID, ports, proxy container and folder of its own: hello (the test registry's image) as
/// containers behind nginx in its own container, driven through the real CLI. <see cref="DisposeAsync"/> removes every
/// container carrying the app's labels (instances, the proxy, the state and lock) and the state volume.
/// </summary>
public sealed class ContainerApp : IAsyncDisposable
{
    /// <summary>The instances of each colour (the example's Size).</summary>
    public const int Size = 2;

    private readonly DockerEngines _engines = new();
    private readonly DockerHostAddress _address;

    private ContainerApp(string host, string image, IReadOnlyDictionary<string, string>? env, bool hostInSpec)
    {
        Host = host;
        _address = new DockerHostAddress("unix", host["unix://".Length..]);
        Image = image;
        Folder = ProxyFixtures.TempDirectory("deploy-container-app-");
        ProxyPort = ProxyFixtures.FreePortRange(1);
        var ports = ProxyFixtures.FreePortRange(20);
        File.WriteAllText(Path.Combine(Folder, "nginx.conf"),
            File.ReadAllText(Path.Combine(Repo.Root, "examples", "containers", "nginx.conf")).Replace("127.0.0.1:8080", $"127.0.0.1:{ProxyPort}"));
        SpecFile = Path.Combine(Folder, "app.json");
        File.WriteAllText(SpecFile, Spec(ports, hostInSpec).ToJsonString());
        var cliEnv = new Dictionary<string, string>(env ?? new Dictionary<string, string>());
        if (!hostInSpec)
        {
            cliEnv["DOCKER_HOST"] = host;
        }

        Cli = new CliRunner(Folder, cliEnv);
    }

    /// <summary>The app's ID, e.g. <c>fault-1a2b3c4d</c>: every label and container name of this app carries it.</summary>
    public string Id { get; } = "fault-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));

    /// <summary>The Docker engine the app runs on (instances, proxy and state), unix://….</summary>
    public string Host { get; }

    /// <summary>The image version 1 runs (the spec's <c>image</c> variable).</summary>
    public string Image { get; }

    /// <summary>The folder holding the spec, nginx.conf and the CLI's state folder (<c>.deploy</c>).</summary>
    public string Folder { get; }

    /// <summary>The spec file, examples/containers/app.json made this app's.</summary>
    public string SpecFile { get; }

    /// <summary>The proxy container's name.</summary>
    public string ProxyName => $"{Id}-proxy";

    /// <summary>The file proxy-nginx rewrites inside the proxy container (examples/containers' nginx.conf includes it).</summary>
    public string UpstreamFile => "/etc/nginx/deploy/web.conf";

    /// <summary>The port nginx listens on (127.0.0.1, host network).</summary>
    public int ProxyPort { get; }

    /// <summary>The app through its proxy.</summary>
    public Uri ProxyUrl => new($"http://127.0.0.1:{ProxyPort}/");

    /// <summary>The CLI, run in <see cref="Folder"/>.</summary>
    public CliRunner Cli { get; }

    /// <summary>
    /// Writes the app for the engine at <paramref name="host"/> (default: the test engine), named by the spec's
    /// <c>Host</c> properties or, without <paramref name="hostInSpec"/>, by <c>DOCKER_HOST</c>; <paramref name="env"/> is
    /// set for every CLI run.
    /// </summary>
    public static async Task<ContainerApp> CreateAsync(string? host = null, IReadOnlyDictionary<string, string>? env = null, bool hostInSpec = true) =>
        new(host ?? DockerTestEngine.Host, await HelloImage.ByDigestAsync(), env, hostInSpec);

    /// <summary><c>deploy proxy boot</c>, which must succeed.</summary>
    public async Task BootProxyAsync()
    {
        var boot = await Cli.RunAsync("proxy", "boot", SpecFile);
        boot.ExitCode.ShouldBe(0, boot.ToString());
        await ProxyFixtures.WaitForPortAsync(ProxyPort);
    }

    /// <summary><c>deploy apply</c> of <paramref name="version"/> (and its image, by default the good one).</summary>
    public Task<CliResult> ApplyAsync(string version, string? image = null) => Cli.RunAsync(ApplyArgs(version, image));

    /// <summary>Starts <c>deploy apply</c> as a child process, to be killed.</summary>
    public RunningCli StartApply(string version, string? image = null) => Cli.Start(ApplyArgs(version, image));

    /// <summary>
    /// <c>deploy apply</c> again while a killed run's lease still holds the app: each try before it expires exits 3
    /// (DEPLOY2001), so this retries every 250 ms for up to <paramref name="seconds"/>. Returns the run that got past the lease.
    /// </summary>
    public async Task<(CliResult Result, int Refused)> ApplyPastLeaseAsync(string version, int seconds = 20)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        for (var refused = 0; ; refused++)
        {
            var result = await ApplyAsync(version);
            if (result.ExitCode != 3 || DateTime.UtcNow > deadline)
            {
                return (result, refused);
            }

            result.Stderr.ShouldContain("DEPLOY2001", customMessage: result.ToString());
            await Task.Delay(250);
        }
    }

    /// <summary>The body of <paramref name="path"/> through the proxy, or the failure's message.</summary>
    public async Task<string> ServedAsync(string path = "version")
    {
        using var client = ProxyFixtures.NewClient();
        try
        {
            var (status, body) = await client.FetchAsync(new Uri(ProxyUrl, path));
            return status == 200 ? body.Trim() : $"{status} {body}";
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return e.Message;
        }
    }

    /// <summary>The app's engine, through a client of this fixture's own.</summary>
    public Task<DockerClient> ClientAsync() => _engines.ConnectAsync(_address, CancellationToken.None);

    /// <summary>Every instance container of the app (label <c>deploy.tag.deploy.app</c>), in any state.</summary>
    public Task<IList<ContainerListResponse>> InstancesAsync() => ListAsync($"{ContainerLabels.TagPrefix}deploy.app={Id}");

    /// <summary>
    /// Asserts the colours are whole: every instance container runs, each colour holds exactly <see cref="Size"/> of
    /// them, all of one config hash, and the colour serving <paramref name="version"/> is the only one carrying it.
    /// Returns the containers by colour.
    /// </summary>
    public async Task<Dictionary<string, List<ContainerListResponse>>> ShouldBeWholeAsync(string version, string context = "")
    {
        var instances = await InstancesAsync();
        var describe = string.Join("\n", instances.Select(c => $"{c.Names[0]} {c.State} {Tag(c, GroupPlanner.HashTag)} version {Tag(c, "deploy.version")}"));
        var message = $"{context}\n{describe}";
        instances.ShouldAllBe(c => c.State == "running", message);
        var colours = instances.GroupBy(c => Tag(c, "deploy.colour")).ToDictionary(g => g.Key, g => g.ToList());
        foreach (var (colour, containers) in colours)
        {
            containers.Count.ShouldBe(Size, $"{colour}: {message}");
            containers.Select(c => Tag(c, GroupPlanner.HashTag)).Distinct().Count().ShouldBe(1, $"{colour}: {message}");
            containers.ShouldAllBe(c => Tag(c, GroupPlanner.GroupTag) == $"{Id}-{colour}", message);
        }

        colours.Values.Count(cs => cs.All(c => Tag(c, "deploy.version") == version)).ShouldBe(1, message);
        return colours;
    }

    /// <summary>The value of tag <paramref name="tag"/> on a container.</summary>
    public static string Tag(ContainerListResponse container, string tag) =>
        container.Labels.TryGetValue(ContainerLabels.TagPrefix + tag, out var value) ? value : "";

    /// <summary>The upstream file proxy-nginx writes, read from inside the proxy container; null when it has none.</summary>
    public async Task<string?> UpstreamAsync() =>
        await ContainerFiles.ReadAsync(await ClientAsync(), ProxyName, UpstreamFile, CancellationToken.None) is { } bytes ? System.Text.Encoding.UTF8.GetString(bytes) : null;

    /// <summary>The <c>host:port</c> of each <c>server</c> line of the upstream file.</summary>
    public async Task<IReadOnlyList<string>> UpstreamServersAsync() =>
        ((await UpstreamAsync()) ?? "").Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith("server ", StringComparison.Ordinal))
            .Select(l => l.Split(' ', ';')[1]).Order(StringComparer.Ordinal).ToList();

    /// <summary>Whether the app's lock container exists (a run holds, or a killed run left, the lease).</summary>
    public async Task<bool> LockedAsync() => (await ListAsync($"deploy.app={Id}")).Any(c => c.Names.Contains($"/deploy-lock-{Id}"));

    private async Task<IList<ContainerListResponse>> ListAsync(string label) =>
        await (await ClientAsync()).Containers.ListContainersAsync(new ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [label] = true } },
        });

    private string[] ApplyArgs(string version, string? image) => ["apply", SpecFile, "--var", $"version={version}", "--var", $"image={image ?? Image}"];

    // examples/containers/app.json, with this app's ID, ports, engine and proxy container; the image is a variable.
    private JsonNode Spec(int firstPort, bool hostInSpec)
    {
        var spec = JsonNode.Parse(File.ReadAllText(Path.Combine(Repo.Root, "examples", "containers", "app.json")))!;
        spec["ID"] = Id;
        spec["Vars"]!["image"] = Image;
        var instance = spec["Group"]!["Instance"]!["Properties"]!;
        instance["Image"] = "{{var.image}}";
        if (hostInSpec)
        {
            instance["Host"] = Host;
        }

        instance["Ports"]!["Host"] = $"{firstPort}-{firstPort + 19}";
        instance["StopTimeout"] = "1s";
        spec["Health"]!["Deadline"] = "30s";
        spec["Verify"]!["Duration"] = "1s";
        var proxy = spec["Proxy"]!["Properties"]!;
        proxy["Container"] = ProxyName;
        if (hostInSpec)
        {
            proxy["Host"] = Host;
        }

        proxy["Url"] = ProxyUrl.ToString();
        proxy["Boot"]!["Image"] = DockerTestEngine.Nginx;
        proxy["Boot"]!["Mounts"] = new JsonArray($"{Path.Combine(Folder, "nginx.conf")}:/etc/nginx/nginx.conf:ro");
        return spec;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            var client = await ClientAsync();
            foreach (var label in new[] { $"{ContainerLabels.TagPrefix}deploy.app={Id}", $"deploy.app={Id}", $"{ProxyBoot.Label}={Id}" })
            {
                foreach (var container in await ListAsync(label))
                {
                    await client.Containers.RemoveContainerAsync(container.ID, new ContainerRemoveParameters { Force = true, RemoveVolumes = true });
                }
            }

            try
            {
                await client.Volumes.RemoveAsync($"deploy-state-{Id}", force: true);
            }
            catch (DockerApiException e) when (e.StatusCode == System.Net.HttpStatusCode.NotFound)
            {
            }
        }
        catch (DeployException)
        {
            // The engine is gone (a test that stopped its own engine cleans up by stopping it).
        }
        finally
        {
            _engines.Dispose();
            Directory.Delete(Folder, recursive: true);
        }
    }
}
