using System.Net;
using System.Text.Json;
using Deploy.Engine.Docker;
using Deploy.Tests.Fixtures;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace Deploy.Tests.Infra;

/// <summary>
/// The private engine tests/infra/docker.sh starts, checked for real: the API the engine serves, the images every
/// container test relies on, and the registry with the aspnet stand-in that container publishing builds on.
/// </summary>
public sealed class DockerTestEngineTests : IDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(2);
    private readonly DockerEngines _engines = new();
    private readonly CancellationTokenSource _timeout = new(Limit);

    public void Dispose()
    {
        _engines.Dispose();
        _timeout.Dispose();
    }

    [Fact]
    public async Task Engine_ReachedThroughDockerEngines_AnswersApi141AndListsItsContainers()
    {
        var version = await _engines.RunAsync(DockerTestEngine.Address, "reading the version", c => c.System.GetVersionAsync(_timeout.Token), _timeout.Token);
        var containers = await _engines.RunAsync(DockerTestEngine.Address, "listing containers",
            c => c.Containers.ListContainersAsync(new ContainersListParameters { All = true }, _timeout.Token), _timeout.Token);

        version.APIVersion.ShouldBe("1.41");
        containers.ShouldNotBeNull();
        DockerTestEngine.Host.ShouldStartWith("unix:///tmp/deploy-docker.");
        DockerTestEngine.Host.ShouldNotBe("unix://" + DockerHostAddress.DefaultSocket);
    }

    [Fact]
    public async Task Busybox_EchoWithHostNetworkAndAutoRemove_PrintsItsWordsAndIsGoneAfter()
    {
        var client = await _engines.ConnectAsync(DockerTestEngine.Address, _timeout.Token);
        var created = await client.Containers.CreateContainerAsync(new CreateContainerParameters
        {
            Image = DockerTestEngine.Busybox,
            Cmd = ["echo", "hello from busybox"],
            AttachStdout = true,
            AttachStderr = true,
            HostConfig = new HostConfig { NetworkMode = "host", AutoRemove = true },
        }, _timeout.Token);
        try
        {
            using var output = await client.Containers.AttachContainerAsync(created.ID,
                new ContainerAttachParameters { Stream = true, Stdout = true, Stderr = true }, _timeout.Token);
            await client.Containers.StartContainerAsync(created.ID, new ContainerStartParameters(), _timeout.Token);
            // The attached stream ends when the container exits (an exit code can't be waited for: it may be removed already).
            var (stdout, stderr) = await output.ReadOutputToEndAsync(_timeout.Token);

            stderr.ShouldBeEmpty();
            stdout.ShouldBe("hello from busybox\n");
            (await GoneWithinAsync(client, created.ID, TimeSpan.FromSeconds(20))).ShouldBeTrue("the auto-removed container is still listed");
        }
        finally
        {
            await RemoveQuietlyAsync(client, created.ID);
        }
    }

    [Fact]
    public async Task NginxImage_Run_HasNginx122AndCurl()
    {
        var (exit, stdout, stderr) = await RunAsync(DockerTestEngine.Nginx, "sh", "-c", "nginx -v && curl --version");

        exit.ShouldBe(0, stderr);
        stderr.ShouldContain("nginx version: nginx/1.22");
        stdout.ShouldStartWith("curl ");
    }

    [Fact]
    public async Task DotnetStandIns_LoadedUnderMicrosoftsNames_AspnetRunsTheHostsRuntimes()
    {
        var client = await _engines.ConnectAsync(DockerTestEngine.Address, _timeout.Token);
        foreach (var image in new[] { DockerTestEngine.RuntimeDeps, DockerTestEngine.Runtime, DockerTestEngine.Aspnet })
        {
            (await client.Images.InspectImageAsync(image, _timeout.Token)).ShouldNotBeNull(image);
        }

        var (exit, stdout, stderr) = await RunAsync(DockerTestEngine.Aspnet, "dotnet", "--list-runtimes");

        exit.ShouldBe(0, stderr);
        stdout.ShouldContain($"Microsoft.NETCore.App {Environment.Version.Major}.{Environment.Version.Minor}.");
        stdout.ShouldContain($"Microsoft.AspNetCore.App {Environment.Version.Major}.{Environment.Version.Minor}.");
    }

    [Fact]
    public async Task Registry_V2Endpoint_AnswersOnLoopbackWithoutAuth()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };

        using var response = await http.GetAsync($"http://{DockerTestEngine.Registry}/v2/", _timeout.Token);

        DockerTestEngine.Registry.ShouldStartWith("127.0.0.1:");
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync(_timeout.Token)).Trim().ShouldBe("{}");
    }

    [Fact]
    public async Task Registry_AfterStart_HoldsTheAspnetStandInTagged10_0()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };

        var body = await http.GetStringAsync($"http://{DockerTestEngine.Registry}/v2/dotnet/aspnet/tags/list", _timeout.Token);

        using var tags = JsonDocument.Parse(body);
        tags.RootElement.GetProperty("name").GetString().ShouldBe("dotnet/aspnet");
        tags.RootElement.GetProperty("tags").EnumerateArray().Select(t => t.GetString()).ShouldContain("10.0");
        DockerTestEngine.RegistryAspnet.ShouldBe($"{DockerTestEngine.Registry}/dotnet/aspnet:10.0");
    }

    /// <summary>Runs <paramref name="argv"/> in a new host-network container of <paramref name="image"/>, then removes it.</summary>
    private async Task<(long Exit, string Stdout, string Stderr)> RunAsync(string image, params string[] argv)
    {
        var client = await _engines.ConnectAsync(DockerTestEngine.Address, _timeout.Token);
        var created = await client.Containers.CreateContainerAsync(new CreateContainerParameters
        {
            Image = image,
            Cmd = argv,
            HostConfig = new HostConfig { NetworkMode = "host" },
        }, _timeout.Token);
        try
        {
            await client.Containers.StartContainerAsync(created.ID, new ContainerStartParameters(), _timeout.Token);
            var exit = await WaitAsync(client, created.ID);
            using var logs = await client.Containers.GetContainerLogsAsync(created.ID,
                new ContainerLogsParameters { ShowStdout = true, ShowStderr = true }, _timeout.Token);
            var (stdout, stderr) = await logs.ReadOutputToEndAsync(_timeout.Token);
            return (exit, stdout, stderr);
        }
        finally
        {
            await RemoveQuietlyAsync(client, created.ID);
        }
    }

    private async Task<long> WaitAsync(DockerClient client, string id) =>
        (await client.Containers.WaitContainerAsync(id, _timeout.Token)).StatusCode;

    private static async Task<bool> GoneWithinAsync(DockerClient client, string id, TimeSpan limit)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (clock.Elapsed < limit)
        {
            var all = await client.Containers.ListContainersAsync(new ContainersListParameters { All = true });
            if (all.All(c => c.ID != id))
            {
                return true;
            }

            await Task.Delay(100);
        }

        return false;
    }

    private static async Task RemoveQuietlyAsync(DockerClient client, string id)
    {
        try
        {
            await client.Containers.RemoveContainerAsync(id, new ContainerRemoveParameters { Force = true });
        }
        catch (DockerContainerNotFoundException)
        {
        }
        catch (DockerApiException e) when (e.StatusCode == HttpStatusCode.Conflict)
        {
            // "removal already in progress": AutoRemove got there first.
        }
    }
}
