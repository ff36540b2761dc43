using System.Net.Http.Headers;
using System.Security.Cryptography;
using Deploy.Engine.Docker;
using Deploy.Engine.Planning;
using Deploy.Engine.Plugins.Instance.Docker;
using Deploy.Engine.Plugins.Proxy.Container;
using Deploy.Tests.Fixtures;
using Deploy.Tests.Support;
using Docker.DotNet;
using Docker.DotNet.Models;
using Xunit.Abstractions;

namespace Deploy.Tests.Tasks;

/// <summary>
/// docs/msbuild.md's container section as users run it: a copy of examples/hello referencing the packed Deploy.Tasks,
/// with examples/msbuild/deploy-container.json (instance-docker, host network, behind nginx in a container booted with
/// <c>deploy proxy boot</c> as the doc does it), published with
/// <c>dotnet publish -t:PublishContainer -p:DeployOnPublish=true</c> into the test registry and deployed on the test
/// Docker engine; asserted on what the registry, the engine and nginx then hold.
/// </summary>
[Collection(PackedConsumerCollection.Name)]
public sealed class ContainerPublishTests(PackedConsumer consumer, ITestOutputHelper output) : IAsyncLifetime
{
    /// <summary>The spec the docs show.</summary>
    public static string SampleSpec => File.ReadAllText(Path.Combine(Repo.Root, "examples", "msbuild", "deploy-container.json"));

    /// <summary>What the publish-time phase says when it leaves a container spec to PublishContainer.</summary>
    public const string SkippedAfterPublish = "uses {{var.image}}, so it deploys after PublishContainer, once the image is pushed";

    private static readonly MediaTypeWithQualityHeaderValue[] ManifestTypes =
        [new("application/vnd.oci.image.manifest.v1+json"), new("application/vnd.docker.distribution.manifest.v2+json")];

    private readonly string _app = "hello-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
    private readonly DockerEngines _engines = new();
    private readonly HttpClient _http = ProxyFixtures.NewClient();
    private readonly string _proxyDir = ProxyFixtures.TempDirectory("deploy-hello-proxy-");
    private readonly int _proxyPort = ProxyFixtures.FreePort();
    private string _project = "";

    private static string Registry => DockerTestEngine.Registry;

    // The SDK's environment for a plain-HTTP registry, and the engine both the SDK and the deploy talk to.
    private static Dictionary<string, string> Environment => new()
    {
        ["DOTNET_CONTAINER_INSECURE_REGISTRIES"] = Registry,
        ["DOCKER_HOST"] = DockerTestEngine.Host,
    };

    /// <summary>The doc's command that starts the proxy's container before the first deploy.</summary>
    public const string DocumentedBoot = "deploy proxy boot deploy.json --var image=none --var version=none";

    private string Repository => "deploy-tests/" + _app;

    private string Proxy => _app + "-proxy";

    private Uri ProxyUrl => new($"http://127.0.0.1:{_proxyPort}/");

    public async Task InitializeAsync()
    {
        _project = CreateProject();
        var boot = await new CliRunner(_project, Environment).RunAsync(DocumentedBoot.Split(' ')[1..]);
        boot.ExitCode.ShouldBe(0, boot.ToString());
        boot.Stdout.ShouldContain($"proxy container {Proxy} created and started on {DockerTestEngine.Host}");
        await ProxyFixtures.WaitForPortAsync(_proxyPort);
    }

    [Fact]
    public async Task PublishContainer_TwoVersions_LiveColourRunsEachVersionByRegistryDigestBehindNginx()
    {
        var first = await PublishAsync("1.0.0");

        first.ExitCode.ShouldBe(0, first.ToString());
        var v1 = $"{Registry}/{Repository}@{await RegistryDigestAsync("1.0.0")}";
        DeployedOnlyAfterThePush(first, v1);
        first.Output.ShouldContain($"{_app}: blue is live (version 1.0.0)");
        Directory.Exists(Path.Combine(_project, ".deploy", "releases")).ShouldBeFalse("the Publish-time phase froze a release");
        (await ImagesAsync("blue")).ShouldBe([v1, v1]);
        (await _http.FetchAsync(new Uri(ProxyUrl, "/version"))).ShouldBe((200, "1.0.0"));

        var second = await PublishAsync("2.0.0");

        second.ExitCode.ShouldBe(0, second.ToString());
        var v2 = $"{Registry}/{Repository}@{await RegistryDigestAsync("2.0.0")}";
        v2.ShouldNotBe(v1);
        DeployedOnlyAfterThePush(second, v2);
        second.Output.ShouldContain($"{_app}: green is live (version 2.0.0); blue on standby");
        (await ImagesAsync("green")).ShouldBe([v2, v2]);
        (await ImagesAsync("blue")).ShouldBe([v1, v1]); // the standby keeps running 1.0.0's image
        (await _http.FetchAsync(new Uri(ProxyUrl, "/version"))).ShouldBe((200, "2.0.0"));

        var destroyed = await new CliRunner(_project, Environment).RunAsync("destroy", "deploy.json", "--yes");

        destroyed.ExitCode.ShouldBe(0, destroyed.ToString());
        (await ContainersAsync("blue")).ShouldBeEmpty();
        (await ContainersAsync("green")).ShouldBeEmpty();
    }

    [Fact]
    public async Task PublishContainer_LocalDaemonNoRegistry_DeploysTheImageByItsVersionTag()
    {
        var publish = await PublishAsync("1.0.0", toRegistry: false);

        publish.ExitCode.ShouldBe(0, publish.ToString());
        var image = $"{Repository}:1.0.0";
        DeployedOnlyAfterThePush(publish, image);
        publish.Output.ShouldContain($"{_app}: deploying image {image} by tag: an image in the local Docker daemon");
        (await ImagesAsync("blue")).ShouldBe([image, image]);
        (await _http.FetchAsync(new Uri(ProxyUrl, "/version"))).ShouldBe((200, "1.0.0"));
    }

    [Fact]
    public async Task Publish_ContainerSpecWithoutPublishContainer_SaysToAddItAndDeploysNothing()
    {
        var publish = await new DotnetCli(_project, consumer.Packages, environment: Environment)
            .BuildAsync("publish", "-p:DeployOnPublish=true", "-p:Version=1.0.0");

        publish.ExitCode.ShouldBe(0, publish.ToString());
        publish.Output.Split(SkippedAfterPublish).Length.ShouldBe(2, publish.ToString());
        publish.Output.ShouldContain("To deploy it, publish with -t:PublishContainer");
        Directory.Exists(Path.Combine(_project, ".deploy", "releases")).ShouldBeFalse(publish.ToString());
        (await ContainersAsync("blue")).ShouldBeEmpty();
    }

    public async Task DisposeAsync()
    {
        // Whatever the test left: the app's containers (also after a failed assertion before the destroy), the proxy's
        // (boot labels it deploy.proxy=APP), and the app's state and lock containers on the engine with their volume.
        var client = await _engines.ConnectAsync(DockerTestEngine.Address, CancellationToken.None);
        foreach (var label in new[] { $"{ContainerLabels.TagPrefix}deploy.app={_app}", $"{ProxyBoot.Label}={_app}", $"deploy.app={_app}" })
        {
            foreach (var container in await client.Containers.ListContainersAsync(new ContainersListParameters
                     {
                         All = true,
                         Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [label] = true } },
                     }))
            {
                await client.Containers.RemoveContainerAsync(container.ID, new ContainerRemoveParameters { Force = true, RemoveVolumes = true });
            }
        }

        try
        {
            await client.Volumes.RemoveAsync($"deploy-state-{_app}", force: true);
        }
        catch (DockerApiException)
        {
            // no deploy got as far as saving state
        }

        _engines.Dispose();
        _http.Dispose();
        Directory.Delete(_proxyDir, recursive: true);
    }

    // The Publish-time phase said once that the spec waits for PublishContainer, and the deploy of `image` began after the push.
    private static void DeployedOnlyAfterThePush(DotnetResult publish, string image)
    {
        var text = publish.Output;
        text.Split(SkippedAfterPublish).Length.ShouldBe(2, publish.ToString());
        var skipped = text.IndexOf(SkippedAfterPublish, StringComparison.Ordinal);
        var pushed = text.IndexOf("Pushed image '", StringComparison.Ordinal);
        var deploying = text.IndexOf($": deploying image {image}", StringComparison.Ordinal);
        var firstStep = text.IndexOf(" is live (version ", StringComparison.Ordinal);
        skipped.ShouldBeGreaterThan(-1, publish.ToString());
        pushed.ShouldBeGreaterThan(skipped, publish.ToString());
        deploying.ShouldBeGreaterThan(pushed, publish.ToString());
        firstStep.ShouldBeGreaterThan(deploying, publish.ToString());
    }

    // A copy of examples/hello (with what the repository's Directory.Build.props gives it) referencing the packed
    // package, and the sample spec beside it with this test's app ID, host ports, proxy container, port and image.
    private string CreateProject()
    {
        var project = Path.Combine(consumer.NewRun("container-" + _app), "hello");
        Directory.CreateDirectory(project);
        var hello = Path.Combine(Repo.Root, "examples", "hello");
        foreach (var file in Directory.GetFiles(hello, "*.cs"))
        {
            File.Copy(file, Path.Combine(project, Path.GetFileName(file)));
        }

        var csproj = File.ReadAllText(Path.Combine(hello, "hello.csproj"));
        File.WriteAllText(Path.Combine(project, "hello.csproj"), csproj
            .Replace("</PropertyGroup>", "  <Nullable>enable</Nullable>\n    <ImplicitUsings>enable</ImplicitUsings>\n  </PropertyGroup>")
            .Replace("</Project>", $"""
                  <ItemGroup>
                    <PackageReference Include="Deploy.Tasks" Version="{consumer.Version}" />
                  </ItemGroup>
                </Project>
                """));
        File.WriteAllText(Path.Combine(project, "nuget.config"), WebAppTemplate.NugetConfig(consumer.Feed));

        var port = ProxyFixtures.FreePortRange(20);
        var spec = SampleSpec;
        foreach (var (documented, ours) in new[]
                 {
                     ("\"ID\": \"hello\"", $"\"ID\": \"{_app}\""),
                     ("\"Host\": \"18400-18419\"", $"\"Host\": \"{port}-{port + 19}\""),
                     ("/tmp/hello-proxy", _proxyDir),
                     ("\"Container\": \"hello-proxy\"", $"\"Container\": \"{Proxy}\""),
                     ("http://127.0.0.1:8080/", ProxyUrl.ToString()),
                 })
        {
            spec.ShouldContain(documented);
            spec = spec.Replace(documented, ours);
        }

        File.WriteAllText(Path.Combine(project, "deploy.json"), spec);
        var nginx = File.ReadAllText(Path.Combine(Repo.Root, "examples", "msbuild", "nginx.conf"));
        nginx.ShouldContain("listen 127.0.0.1:8080;");
        File.WriteAllText(Path.Combine(_proxyDir, "nginx.conf"), nginx.Replace("127.0.0.1:8080", $"127.0.0.1:{_proxyPort}"));
        return project;
    }

    // Without the registry, the SDK loads the image into the Docker engine of DOCKER_HOST.
    private async Task<DotnetResult> PublishAsync(string version, bool toRegistry = true)
    {
        string[] to = toRegistry ? [$"-p:ContainerRegistry={Registry}"] : [];
        var result = await new DotnetCli(_project, consumer.Packages, environment: Environment).BuildAsync("publish",
            ["-t:PublishContainer", "-p:DeployOnPublish=true", .. to,
             $"-p:ContainerBaseImage={Registry}/dotnet/aspnet:10.0", $"-p:ContainerRepository={Repository}", $"-p:Version={version}"]);
        output.WriteLine($"dotnet {result.Command}: exit {result.ExitCode} in {result.Duration.TotalSeconds:0.0}s");
        return result;
    }

    // The digest the registry itself holds for the tag, as a pull by tag would resolve it.
    private async Task<string> RegistryDigestAsync(string tag)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://{Registry}/v2/{Repository}/manifests/{tag}");
        foreach (var type in ManifestTypes)
        {
            request.Headers.Accept.Add(type);
        }

        using var response = await _http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return response.Headers.GetValues("Docker-Content-Digest").Single();
    }

    // The image each container of the colour was created from, as the engine recorded it.
    private async Task<List<string>> ImagesAsync(string colour)
    {
        var client = await _engines.ConnectAsync(DockerTestEngine.Address, CancellationToken.None);
        var images = new List<string>();
        foreach (var container in await ContainersAsync(colour))
        {
            var inspected = await client.Containers.InspectContainerAsync(container.ID);
            inspected.State.Running.ShouldBeTrue($"{container.ID} of {colour}");
            images.Add(inspected.Config.Image);
        }

        return images;
    }

    private async Task<IList<ContainerListResponse>> ContainersAsync(string colour)
    {
        var client = await _engines.ConnectAsync(DockerTestEngine.Address, CancellationToken.None);
        return await client.Containers.ListContainersAsync(new ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>>
            {
                ["label"] = new Dictionary<string, bool> { [$"{ContainerLabels.TagPrefix}{GroupPlanner.GroupTag}={_app}-{colour}"] = true },
            },
        });
    }
}
