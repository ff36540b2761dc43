using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Deploy.Engine.Docker;
using Deploy.Engine.Events;
using Deploy.Engine.Planning;
using Deploy.Engine.Plugins.Instance;
using Deploy.Engine.Plugins.Instance.Docker;
using Deploy.Tests.Fixtures;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace Deploy.Tests.Plugins.Instance.Docker;

/// <summary>
/// An <c>instance-docker</c> plugin on the test engine, with a group ID of its own: on dispose every container carrying
/// that group's tag label is removed (and any network it made), so tests sharing the engine never touch each other's.
/// </summary>
internal sealed class DockerHarness : IAsyncDisposable
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(3) };
    private readonly List<string> _networks = [];
    private readonly List<string> _groups = [];

    public DockerHarness()
    {
        Plugin = NewPlugin(Engines);
    }

    /// <summary>The group ID every container of this harness is tagged with, e.g. <c>dt-1a2b3c4d</c>.</summary>
    public string Group { get; } = "dt-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));

    /// <summary>The tags a group converger would give an instance: the group and a config hash.</summary>
    public Dictionary<string, string> Tags => new() { [GroupPlanner.GroupTag] = Group, [GroupPlanner.HashTag] = "c0ffee" };

    /// <summary>The first of 20 host ports that were free when the harness was made.</summary>
    public int Port { get; } = ProxyFixtures.FreePortRange(20);

    /// <summary>The host port range for <see cref="Props"/>: <see cref="Port"/> to <see cref="Port"/>+19.</summary>
    public string Range => $"{Port}-{Port + 19}";

    public DockerEngines Engines { get; } = new();

    public RecordingEvents Events { get; } = new();

    public DockerInstancePlugin Plugin { get; }

    /// <summary>A plugin over <paramref name="engines"/> whose default engine (DOCKER_HOST) is the test engine.</summary>
    public DockerInstancePlugin NewPlugin(DockerEngines engines) =>
        new(engines, Events, name => name == "DOCKER_HOST" ? DockerTestEngine.Host : null);

    /// <summary>A busybox command serving <c>hello VERSION</c> over HTTP on <paramref name="listen"/> (e.g. 127.0.0.1:{{port}}).</summary>
    public static string[] Httpd(string listen = "127.0.0.1:{{port}}") =>
        ["sh", "-c", $"mkdir -p /www && echo \"hello $APP_VERSION\" > /www/index.html && exec httpd -f -p {listen} -h /www"];

    /// <summary>The plugin's properties as JSON, from named arguments; host network on the test engine by default.</summary>
    public JsonElement Props(
        IReadOnlyList<string>? command = null, IReadOnlyDictionary<string, string>? env = null, string image = DockerTestEngine.Busybox,
        string network = "host", int? containerPort = null, string? pull = null, string? restartPolicy = null, object? healthcheck = null,
        IReadOnlyDictionary<string, string>? labels = null, IReadOnlyList<string>? mounts = null, string? stopTimeout = null, string? range = null)
    {
        var ports = new Dictionary<string, object> { ["Host"] = range ?? Range };
        if (containerPort is not null) ports["Container"] = containerPort;
        var props = new Dictionary<string, object>
        {
            ["Host"] = DockerTestEngine.Host, ["Image"] = image, ["Network"] = network, ["Ports"] = ports, ["StopTimeout"] = stopTimeout ?? "1s",
        };
        if (command is not null) props["Command"] = command;
        if (env is not null) props["Env"] = env;
        if (pull is not null) props["Pull"] = pull;
        if (restartPolicy is not null) props["RestartPolicy"] = restartPolicy;
        if (healthcheck is not null) props["Healthcheck"] = healthcheck;
        if (labels is not null) props["Labels"] = labels;
        if (mounts is not null) props["Mounts"] = mounts;
        return JsonSerializer.SerializeToElement(props);
    }

    /// <summary>Provisions with this harness's tags (plus <paramref name="secrets"/> and <paramref name="logicalId"/>).</summary>
    public Task<string> ProvisionAsync(JsonElement properties, IReadOnlyCollection<string>? secrets = null, string? logicalId = null) =>
        Plugin.ProvisionAsync(new InstanceSpec(properties, Tags, LogicalId: logicalId) { Secrets = secrets ?? [] }, CancellationToken.None);

    public Task<IReadOnlyList<InstanceDescription>> DescribeAsync() =>
        Plugin.DescribeAsync(new Dictionary<string, string> { [GroupPlanner.GroupTag] = Group }, CancellationToken.None);

    /// <summary>A raw client on the test engine, to see what the plugin made as Docker sees it.</summary>
    public Task<DockerClient> ClientAsync() => Engines.ConnectAsync(DockerTestEngine.Address, CancellationToken.None);

    /// <summary>Removes the containers of <paramref name="group"/> too on dispose (an app's colour groups).</summary>
    public void Track(string group) => _groups.Add(group);

    /// <summary>Every container of this harness's group (or of <paramref name="group"/>), in any state, as Docker lists them.</summary>
    public async Task<IList<ContainerListResponse>> ContainersAsync(string? group = null)
    {
        var client = await ClientAsync();
        return await client.Containers.ListContainersAsync(new ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>>
            {
                ["label"] = new Dictionary<string, bool> { [$"{ContainerLabels.TagPrefix}{GroupPlanner.GroupTag}={group ?? Group}"] = true },
            },
        });
    }

    /// <summary>The container as Docker inspects it, or null when it is gone.</summary>
    public async Task<ContainerInspectResponse?> InspectAsync(string name)
    {
        try
        {
            return await (await ClientAsync()).Containers.InspectContainerAsync(name);
        }
        catch (DockerContainerNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Creates a user network on a /24 of 10.201.0.0/16 that no other network holds; removed on dispose.</summary>
    public async Task<string> NetworkAsync()
    {
        var client = await ClientAsync();
        for (var attempt = 0; ; attempt++)
        {
            var name = $"{Group}-net";
            try
            {
                await client.Networks.CreateNetworkAsync(new NetworksCreateParameters
                {
                    Name = name,
                    Labels = new Dictionary<string, string> { ["deploy.test"] = Group },
                    IPAM = new IPAM { Config = [new IPAMConfig { Subnet = $"10.201.{Random.Shared.Next(1, 255)}.0/24" }] },
                });
                _networks.Add(name);
                return name;
            }
            catch (DockerApiException) when (attempt < 10)
            {
                // the subnet overlaps another test's network: draw another
            }
        }
    }

    /// <summary>The body served at <paramref name="url"/>, retried until it answers 200 (10 s at most).</summary>
    public static async Task<string> GetAsync(string url)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            try
            {
                using var response = await Http.GetAsync(url);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return (await response.Content.ReadAsStringAsync()).Trim();
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && DateTime.UtcNow < deadline)
            {
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{url} did not answer 200 within 10 s");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>Polls <paramref name="condition"/> until it holds, for <paramref name="seconds"/> at most; false when it never did.</summary>
    public static async Task<bool> EventuallyAsync(Func<Task<bool>> condition, int seconds = 15)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }

            await Task.Delay(200);
        }

        return true;
    }

    public async ValueTask DisposeAsync()
    {
        var client = await ClientAsync();
        foreach (var group in _groups.Prepend(Group))
        {
            foreach (var container in await ContainersAsync(group))
            {
                await client.Containers.RemoveContainerAsync(container.ID, new ContainerRemoveParameters { Force = true, RemoveVolumes = true });
            }
        }

        foreach (var network in _networks)
        {
            await client.Networks.DeleteNetworkAsync(network);
        }

        Engines.Dispose();
    }
}
