using Deploy.Engine.Planning;
using Deploy.Tests.Fixtures;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace Deploy.Tests.Plugins.Instance.Docker;

/// <summary>
/// Pulls from the test registry: an image pushed there under this test's own repository and then untagged on the engine,
/// so the engine can only get it back by pulling. Every reference the test made is untagged at the end.
/// </summary>
public sealed class DockerImagePullTests : IAsyncLifetime
{
    private readonly DockerHarness _h = new();
    private readonly List<string> _references = [];
    private string Repository => $"{DockerTestEngine.Registry}/{_h.Group}/busybox";

    public async Task InitializeAsync()
    {
        var client = await _h.ClientAsync();
        await client.Images.TagImageAsync(DockerTestEngine.Busybox, new ImageTagParameters { RepositoryName = Repository, Tag = "1" });
        _references.Add($"{Repository}:1");
        await client.Images.PushImageAsync($"{Repository}:1", new ImagePushParameters { Tag = "1" }, new AuthConfig(), new Progress<JSONMessage>());
        await UntagAsync($"{Repository}:1");
    }

    public async Task DisposeAsync()
    {
        await _h.DisposeAsync();
        foreach (var reference in _references)
        {
            await UntagAsync(reference);
        }
    }

    [Fact]
    public async Task Provision_ImageOnlyInTheRegistry_IsPulledByTagThenByDigest()
    {
        var client = await _h.ClientAsync();

        await _h.ProvisionAsync(_h.Props(image: $"{Repository}:1", command: ["sleep", "300"]));

        var pulled = await client.Images.InspectImageAsync($"{Repository}:1");
        var digest = pulled.RepoDigests.Single(d => d.StartsWith(Repository + "@", StringComparison.Ordinal)); // busybox may be in other repositories too
        _references.Add(digest);
        _h.Events.Lines.ShouldContain($"Pulling image {Repository}:1 on the Docker engine at {DockerTestEngine.Host}");

        await UntagAsync($"{Repository}:1");
        await UntagAsync(digest);
        await _h.ProvisionAsync(_h.Props(image: digest, command: ["sleep", "300"], pull: "always"));

        var infos = await _h.Plugin.ContainersAsync(new Dictionary<string, string> { [GroupPlanner.GroupTag] = _h.Group }, CancellationToken.None);
        infos.Count.ShouldBe(2);
        infos.ShouldAllBe(i => i.ImageDigest == digest && i.State == "running");
        infos.Select(i => i.Image).ShouldBe([$"{Repository}:1", digest], ignoreOrder: true);
    }

    [Fact]
    public async Task Provision_TagTheRegistryDoesNotHave_FailsWithTheRegistrysAnswer()
    {
        var e = await Should.ThrowAsync<Engine.Diagnostics.DeployException>(() => _h.ProvisionAsync(_h.Props(image: $"{Repository}:9")));

        e.Message.ShouldContain($"image {Repository}:9 could not be pulled from the registry by the Docker engine at {DockerTestEngine.Host}: ");
        e.Message.ShouldContain("manifest unknown");
        (await _h.ContainersAsync()).ShouldBeEmpty();
    }

    private async Task UntagAsync(string reference)
    {
        try
        {
            await (await _h.ClientAsync()).Images.DeleteImageAsync(reference, new ImageDeleteParameters());
        }
        catch (DockerImageNotFoundException)
        {
        }
    }
}
