using Deploy.Engine.Diagnostics;
using Deploy.Engine.Probes;
using Deploy.Tests.Fixtures;

namespace Deploy.Tests.Probes;

/// <summary>Probes made inside a container by exec: curl where the image has it, wget otherwise, never an exception for a dead URL.</summary>
public sealed class ContainerHttpProbeTests : IAsyncLifetime
{
    private readonly TestContainers _containers = new();
    private int _port;

    public async Task InitializeAsync()
    {
        _port = ProxyFixtures.FreePortRange(2);
        await _containers.StartHttpdAsync(_port, "blue-1");
    }

    public Task DisposeAsync() => _containers.DisposeAsync().AsTask();

    [Fact]
    public async Task GetAsync_FromAContainerWithCurl_StatusAndBody()
    {
        var probe = await ProbeInAsync(DockerTestEngine.Nginx);

        (await probe.GetAsync($"http://127.0.0.1:{_port}/", TimeSpan.FromSeconds(5), CancellationToken.None)).ShouldBe(new ProbeResult(200, "blue-1", null));
        (await probe.GetAsync($"http://127.0.0.1:{_port}/missing", TimeSpan.FromSeconds(5), CancellationToken.None)).Status.ShouldBe(404);
    }

    [Fact]
    public async Task GetAsync_FromBusyboxWithoutCurl_UsesWgetForStatusAndBody()
    {
        var probe = await ProbeInAsync(DockerTestEngine.Busybox);

        (await probe.GetAsync($"http://127.0.0.1:{_port}/", TimeSpan.FromSeconds(5), CancellationToken.None)).ShouldBe(new ProbeResult(200, "blue-1", null));
        var missing = await probe.GetAsync($"http://127.0.0.1:{_port}/missing", TimeSpan.FromSeconds(5), CancellationToken.None);
        (missing.Status, missing.Error).ShouldBe((404, null));
    }

    [Theory]
    [InlineData(DockerTestEngine.Nginx, "Could")] // curl: (7) Failed to connect ... Couldn't connect to server
    [InlineData(DockerTestEngine.Busybox, "refused")] // wget: can't connect to remote host (127.0.0.1): Connection refused
    public async Task GetAsync_ClosedPort_ErrorResultNotException(string image, string reason)
    {
        var probe = await ProbeInAsync(image);

        var result = await probe.GetAsync($"http://127.0.0.1:{_port + 1}/", TimeSpan.FromSeconds(5), CancellationToken.None);

        (result.Status, result.IsSuccess).ShouldBe((0, false));
        result.Error.ShouldNotBeNull();
        result.Error.ShouldContain(reason);
    }

    [Theory]
    [InlineData(DockerTestEngine.Nginx)] // curl --max-time
    [InlineData(DockerTestEngine.Busybox)] // this busybox wget has no -T: the exec's own limit ends it
    public async Task GetAsync_ServerNeverAnswers_TimeoutErrorLikeTheLocalProbe(string image)
    {
        // busybox nc accepts the connection and never answers (its stdin, a sleep, stays open).
        await _containers.StartAsync(DockerTestEngine.Busybox, "sh", "-c", $"sleep 3600 | nc -l -p {_port + 1}");
        await WaitForListenerAsync(_port + 1);
        var probe = await ProbeInAsync(image);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var result = await probe.GetAsync($"http://127.0.0.1:{_port + 1}/", TimeSpan.FromSeconds(1), CancellationToken.None);

        result.ShouldBe(new ProbeResult(0, "", "no answer within 1s"));
        clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task GetAsync_ImageWithNeitherCurlNorWget_SaysTheProxyImageNeedsOneAndWhy()
    {
        var probe = await ProbeInAsync("mcr.microsoft.com/dotnet/runtime-deps:10.0");

        var error = await Should.ThrowAsync<DeployException>(() => probe.GetAsync($"http://127.0.0.1:{_port}/", TimeSpan.FromSeconds(5), CancellationToken.None));

        error.Message.ShouldContain("has neither curl nor wget");
        error.Message.ShouldContain("the proxy's image must have curl or wget");
        error.Message.ShouldContain("never assumes the app's image has a shell or curl");
    }

    [Fact]
    public async Task Where_NamesTheContainer()
    {
        var name = _containers.NewName("probe");

        new ContainerHttpProbe(_containers.Engines, DockerTestEngine.Address, name).Where.ShouldBe($"container {name}");
    }

    // nc serves one connection only: see it listen without connecting (host network: the host's socket table).
    private static async Task WaitForListenerAsync(int port)
    {
        var local = $":{port:X4} ";
        bool Listening() => new[] { "/proc/net/tcp", "/proc/net/tcp6" }.Where(File.Exists).SelectMany(File.ReadLines)
            .Any(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries) is [_, var at, _, "0A", ..] && at.EndsWith(local.TrimEnd(), StringComparison.Ordinal));
        for (var i = 0; i < 200 && !Listening(); i++)
        {
            await Task.Delay(25);
        }
    }

    private async Task<ContainerHttpProbe> ProbeInAsync(string image) =>
        new(_containers.Engines, DockerTestEngine.Address, await _containers.StartSleeperAsync(image));
}
