using Deploy.Engine.Docker;
using Deploy.Engine.Plugins.Proxy.Container;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace Deploy.Tests.Fixtures;

/// <summary>
/// Containers a test makes on the test engine (<see cref="DockerTestEngine"/>): each is named <c>deploy-test-…</c>, and
/// <see cref="DisposeAsync"/> force-removes every container this object made or was told about, so none outlives its test.
/// </summary>
public sealed class TestContainers : IAsyncDisposable
{
    private readonly List<string> _names = [];
    private readonly List<string> _folders = [];

    /// <summary>One client per engine, as the plugins hold it.</summary>
    public DockerEngines Engines { get; } = new();

    /// <summary>The test engine's client.</summary>
    public Task<DockerClient> ClientAsync() => Engines.ConnectAsync(DockerTestEngine.Address, CancellationToken.None);

    /// <summary>A fresh container name, removed on dispose whether or not a container gets it.</summary>
    public string NewName(string what)
    {
        var name = $"deploy-test-{what}-{Guid.NewGuid():N}"[..36];
        _names.Add(name);
        return name;
    }

    /// <summary>A new folder on this machine (the Docker host), deleted on dispose.</summary>
    public string NewFolder(string prefix)
    {
        var folder = ProxyFixtures.TempDirectory(prefix);
        _folders.Add(folder);
        return folder;
    }

    /// <summary>
    /// Starts a busybox <c>httpd</c> on 127.0.0.1:<paramref name="port"/> (host network) serving <paramref name="body"/>
    /// at <c>/</c> and <c>200</c> at <c>/healthz</c>; the files are written into the created container through the archive API.
    /// </summary>
    public async Task<string> StartHttpdAsync(int port, string body)
    {
        var name = NewName("httpd");
        var client = await ClientAsync();
        await client.Containers.CreateContainerAsync(new CreateContainerParameters
        {
            Name = name,
            Image = DockerTestEngine.Busybox,
            Cmd = ["httpd", "-f", "-p", $"127.0.0.1:{port}", "-h", "/www"],
            HostConfig = new HostConfig { NetworkMode = "host" },
        });
        await ContainerFolders.EnsureAsync(client, name, "/www", CancellationToken.None);
        await ContainerFiles.WriteTextAsync(client, name, "/www/index.html", body, CancellationToken.None);
        await ContainerFiles.WriteTextAsync(client, name, "/www/healthz", "ok", CancellationToken.None);
        await client.Containers.StartContainerAsync(name, new ContainerStartParameters());
        await ProxyFixtures.WaitForPortAsync(port);
        return name;
    }

    /// <summary>Starts <paramref name="image"/> running <c>sleep</c> (host network): a container to exec in.</summary>
    public Task<string> StartSleeperAsync(string image) => StartAsync(image, "sleep", "3600");

    /// <summary>Starts <paramref name="image"/> running <paramref name="command"/> (host network).</summary>
    public async Task<string> StartAsync(string image, params string[] command)
    {
        var name = NewName("run");
        var client = await ClientAsync();
        await client.Containers.CreateContainerAsync(new CreateContainerParameters
        {
            Name = name,
            Image = image,
            Cmd = command,
            HostConfig = new HostConfig { NetworkMode = "host" },
        });
        await client.Containers.StartContainerAsync(name, new ContainerStartParameters());
        return name;
    }

    /// <summary>Stops a container (1 s grace), leaving it to be started again.</summary>
    public async Task StopAsync(string name) =>
        await (await ClientAsync()).Containers.StopContainerAsync(name, new ContainerStopParameters { WaitBeforeKillSeconds = 1 });

    /// <summary>The container as the engine describes it now.</summary>
    public async Task<ContainerInspectResponse> InspectAsync(string name) => await (await ClientAsync()).Containers.InspectContainerAsync(name);

    /// <summary>The file's text inside the container, or null when it has none.</summary>
    public async Task<string?> ReadAsync(string container, string path) =>
        await ContainerFiles.ReadAsync(await ClientAsync(), container, path, CancellationToken.None) is { } bytes ? System.Text.Encoding.UTF8.GetString(bytes) : null;

    /// <summary>The file's bytes inside the container, or null when it has none.</summary>
    public async Task<byte[]?> ReadBytesAsync(string container, string path) =>
        await ContainerFiles.ReadAsync(await ClientAsync(), container, path, CancellationToken.None);

    public async ValueTask DisposeAsync()
    {
        var client = await ClientAsync();
        foreach (var name in _names)
        {
            try
            {
                await client.Containers.RemoveContainerAsync(name, new ContainerRemoveParameters { Force = true });
            }
            catch (DockerApiException e) when (e.StatusCode == System.Net.HttpStatusCode.NotFound)
            {
                // Never created, or already removed by the test.
            }
        }

        Engines.Dispose();
        foreach (var folder in _folders)
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
