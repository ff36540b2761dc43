using System.Text.Json;
using Deploy.Engine.Diagnostics;
using Deploy.Engine.Docker;
using Deploy.Engine.Events;
using Deploy.Engine.State.Target;
using Deploy.Tests.Fixtures;
using Deploy.Tests.Support;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace Deploy.Tests.State.Target;

/// <summary>An app's lock and state kept on a real Docker engine, as two runners from two state folders see them.</summary>
public sealed class DockerTargetStateTests : IAsyncDisposable
{
    private readonly DockerEngines _engines = new();
    private readonly string _app = "tst" + Guid.NewGuid().ToString("N")[..8];
    private readonly RecordingEvents _events = new();
    private readonly TempDir _a = new();
    private readonly TempDir _b = new();

    private DockerTargetState State(TimeSpan? lease = null) => new(_engines, DockerTestEngine.Address, _events, lease);

    private IReadOnlyList<string> Groups => [$"{_app}-blue", $"{_app}-green"];

    [Fact]
    public async Task LeaseAsync_SecondRunWhileHeld_RefusedWithExit3NamingTheHolder()
    {
        await using var held = await State().LeaseAsync(_app, "applying", CancellationToken.None);

        var error = await Should.ThrowAsync<DeployException>(() => State().LeaseAsync(_app, "applying", CancellationToken.None));

        error.ExitCode.ShouldBe(3);
        error.Diagnostics[0].Message.ShouldContain($"{_app} is locked on Docker engine {DockerTestEngine.Host} by pid {Environment.ProcessId}");
    }

    [Fact]
    public async Task LeaseAsync_AfterRelease_TakenAgainAndNoLockContainerLeft()
    {
        await (await State().LeaseAsync(_app, "applying", CancellationToken.None)).DisposeAsync();
        (await LockContainers()).ShouldBeEmpty();

        await using var again = await State().LeaseAsync(_app, "flipping", CancellationToken.None);
        (await LockContainers()).Count.ShouldBe(1);
    }

    [Fact]
    public async Task LeaseAsync_HolderRenews_StillRefusedAfterSeveralLeaseLengths()
    {
        var lease = TimeSpan.FromMilliseconds(1500);
        await using var held = await State(lease).LeaseAsync(_app, "applying", CancellationToken.None);

        await Task.Delay(lease * 3);

        await Should.ThrowAsync<DeployException>(() => State(lease).LeaseAsync(_app, "applying", CancellationToken.None));
    }

    [Fact]
    public async Task LeaseAsync_LeaseOfAKilledRunExpired_TakenOverWithAWarning()
    {
        // What a run killed with -9 leaves behind: its lock container, with a lease nobody renews any more.
        await KillHolderAsync(expiredSecondsAgo: 1);

        await using var taken = await State().LeaseAsync(_app, "applying", CancellationToken.None);

        _events.Warnings.ShouldContain(w => w.Code == Errors.StaleLock && w.Message.Contains("expired") && w.Message.Contains("taken over"));
    }

    [Fact]
    public async Task PushThenPull_FreshStateFolder_GetsTheSameFilesAndDeletionsPropagate()
    {
        WriteFile(_a, $"apps/{_app}.json", "{\"App\":\"x\"}");
        WriteFile(_a, $"apps/{_app}.history.jsonl", "{\"Outcome\":\"Flipped\"}\n");
        WriteFile(_a, $"groups/{_app}-blue.json", "{\"ID\":\"blue\"}");
        WriteFile(_a, "groups/other-app-blue.json", "{\"ID\":\"not this app\"}");
        await State().PushAsync(_app, Groups, _a.Path, CancellationToken.None);

        await State().PullAsync(_app, Groups, _b.Path, CancellationToken.None);

        File.ReadAllText(Path.Combine(_b.Path, "groups", $"{_app}-blue.json")).ShouldBe("{\"ID\":\"blue\"}");
        File.ReadAllText(Path.Combine(_b.Path, "apps", $"{_app}.history.jsonl")).ShouldBe("{\"Outcome\":\"Flipped\"}\n");
        File.Exists(Path.Combine(_b.Path, "groups", "other-app-blue.json")).ShouldBeFalse();

        File.Delete(Path.Combine(_a.Path, "groups", $"{_app}-blue.json"));
        await State().PushAsync(_app, Groups, _a.Path, CancellationToken.None);
        await State().PullAsync(_app, Groups, _b.Path, CancellationToken.None);
        File.Exists(Path.Combine(_b.Path, "groups", $"{_app}-blue.json")).ShouldBeFalse();
    }

    [Fact]
    public async Task PullAsync_NothingKeptYet_LeavesNoFiles()
    {
        await State().PullAsync(_app, Groups, _b.Path, CancellationToken.None);

        Directory.EnumerateFiles(_b.Path, "*", SearchOption.AllDirectories).ShouldBeEmpty();
    }

    [Fact]
    public async Task PullAsync_EngineUnreachable_FailsNamingTheAddress()
    {
        var state = new DockerTargetState(_engines, new DockerHostAddress("unix", "/tmp/no-such-docker.sock"), _events);

        var error = await Should.ThrowAsync<DeployException>(() => state.PullAsync(_app, Groups, _b.Path, CancellationToken.None));

        error.ExitCode.ShouldBe(1);
        error.Diagnostics[0].Message.ShouldContain("cannot reach the Docker engine at unix:///tmp/no-such-docker.sock: there is no socket");
    }

    // Rewrites the lock's lease as a holder that died long ago left it.
    private async Task KillHolderAsync(int expiredSecondsAgo)
    {
        var client = await _engines.ConnectAsync(DockerTestEngine.Address, CancellationToken.None);
        var created = await client.Containers.CreateContainerAsync(new CreateContainerParameters
        {
            Name = $"deploy-lock-{_app}",
            Image = DockerTargetState.Image,
            Cmd = ["/never-started"],
            Labels = new Dictionary<string, string> { ["deploy.app"] = _app, ["deploy.role"] = "lock", ["deploy.lock.owner"] = "pid 1 on gone-runner", ["deploy.lock.command"] = "applying" },
        }, CancellationToken.None);
        var lease = JsonSerializer.SerializeToUtf8Bytes(new { Owner = "pid 1 on gone-runner", Command = "applying", Expires = DateTimeOffset.UtcNow.AddSeconds(-expiredSecondsAgo) });
        await ContainerFiles.WriteAsync(client, created.ID, "/lease", lease, CancellationToken.None);
    }

    private async Task<IList<ContainerListResponse>> LockContainers()
    {
        var client = await _engines.ConnectAsync(DockerTestEngine.Address, CancellationToken.None);
        return await client.Containers.ListContainersAsync(new ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"deploy.app={_app}"] = true, ["deploy.role=lock"] = true } },
        }, CancellationToken.None);
    }

    private static void WriteFile(TempDir dir, string relative, string content)
    {
        var path = Path.Combine(dir.Path, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
    }

    public async ValueTask DisposeAsync()
    {
        var client = await _engines.ConnectAsync(DockerTestEngine.Address, CancellationToken.None);
        foreach (var c in await client.Containers.ListContainersAsync(new ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"deploy.app={_app}"] = true } },
        }, CancellationToken.None))
        {
            await client.Containers.RemoveContainerAsync(c.ID, new ContainerRemoveParameters { Force = true, RemoveVolumes = true }, CancellationToken.None);
        }

        try
        {
            await client.Volumes.RemoveAsync($"deploy-state-{_app}", force: true, CancellationToken.None);
        }
        catch (DockerApiException)
        {
        }

        _engines.Dispose();
        _a.Dispose();
        _b.Dispose();
    }
}
