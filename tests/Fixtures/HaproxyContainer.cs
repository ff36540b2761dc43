using System.Formats.Tar;
using System.Text;
using System.Text.Json;
using Deploy.Engine.Commands;
using Deploy.Engine.Docker;
using Deploy.Engine.Plugins.Proxy;
using Deploy.Engine.Plugins.Proxy.HAProxy;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace Deploy.Tests.Fixtures;

/// <summary>
/// HAProxy in a container (<see cref="Image"/>, host network) in master-worker mode as PID 1, booted by proxy-haproxy:
/// the user's haproxy.cfg mounted read-only, the backend file Deploy rewrites loaded with a second <c>-f</c>, reloaded
/// with <c>kill -USR2 1</c>.
/// </summary>
public sealed class HaproxyContainer
{
    /// <summary>HAProxy, curl and procps (for kill) on the runtime-deps stand-in; built by <see cref="EnsureImageAsync"/> when the engine lacks it.</summary>
    public const string Image = "local/haproxy:1";

    /// <summary>The file proxy-haproxy rewrites, inside the container.</summary>
    public const string ConfigFile = "/etc/haproxy/deploy/backend.cfg";

    private const string MainConfig = "/etc/haproxy/haproxy.cfg";

    private HaproxyContainer(string name, int port, string folder)
    {
        Name = name;
        Port = port;
        Folder = folder;
    }

    /// <summary>The container's name.</summary>
    public string Name { get; }

    /// <summary>The port HAProxy listens on (127.0.0.1, host network).</summary>
    public int Port { get; }

    /// <summary>The folder on this machine (the Docker host) holding the mounted haproxy.cfg.</summary>
    public string Folder { get; }

    /// <summary>The app through HAProxy.</summary>
    public Uri Url => new($"http://127.0.0.1:{Port}/");

    /// <summary>
    /// Builds <see cref="Image"/> on the test engine unless it has it (about a minute: apt-get over the host network).
    /// The infra script is meant to load it, as it loads local/nginx:1.
    /// </summary>
    public static async Task EnsureImageAsync(DockerClient client)
    {
        try
        {
            await client.Images.InspectImageAsync(Image);
            return;
        }
        catch (DockerApiException e) when (e.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
        }

        using var context = new MemoryStream();
        await using (var tar = new TarWriter(context, TarEntryFormat.Pax, leaveOpen: true))
        {
            var dockerfile = "FROM mcr.microsoft.com/dotnet/runtime-deps:10.0\n" +
                             "RUN apt-get update && apt-get install -y --no-install-recommends haproxy curl procps && rm -rf /var/lib/apt/lists/*\n";
            await tar.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, "Dockerfile") { DataStream = new MemoryStream(Encoding.UTF8.GetBytes(dockerfile)) });
        }

        context.Position = 0;
        var errors = new List<string>();
        await client.Images.BuildImageFromDockerfileAsync(
            new ImageBuildParameters { Tags = [Image], NetworkMode = "host", Remove = true, ForceRemove = true },
            context, null, null, new Recorder(m => { if (m.Error?.Message is { } error) { errors.Add(error); } }));
        if (errors.Count > 0)
        {
            throw new InvalidOperationException($"building {Image} failed: {string.Join("; ", errors)}");
        }
    }

    /// <summary>Writes haproxy.cfg for a new container name on a free port and boots it through proxy-haproxy.</summary>
    public static async Task<HaproxyContainer> StartAsync(TestContainers containers, string app = "shop")
    {
        var folder = containers.NewFolder("deploy-haproxy-container-");
        var port = ProxyFixtures.FreePortRange(1);
        File.WriteAllText(Path.Combine(folder, "haproxy.cfg"), $"""
            defaults
                mode http
                timeout connect 1s
                timeout client 10s
                timeout server 10s
            frontend web
                bind 127.0.0.1:{port}
                default_backend app
            """ + "\n");
        var haproxy = new HaproxyContainer(containers.NewName("haproxy"), port, folder);
        await new HAProxyProxyPlugin(new CommandRunner(), containers.Engines).BootAsync(haproxy.Target(), app, CancellationToken.None);
        await ProxyFixtures.WaitForPortAsync(port);
        return haproxy;
    }

    /// <summary>The proxy-haproxy target for this container.</summary>
    public ProxyTarget Target() => new(JsonSerializer.SerializeToElement(new
    {
        ConfigFile,
        Backend = "app",
        TestCommand = new[] { "haproxy", "-c", "-q", "-f", MainConfig, "-f", ConfigFile },
        ReloadCommand = new[] { "kill", "-USR2", "1" },
        Url = Url.ToString(),
        Container = Name,
        Host = DockerTestEngine.Host,
        Boot = new
        {
            Image,
            Mounts = new[] { $"{Path.Combine(Folder, "haproxy.cfg")}:{MainConfig}:ro" },
            Command = new[] { "haproxy", "-W", "-db", "-f", MainConfig, "-f", ConfigFile },
        },
    }), Folder);

    // Records as messages arrive: Progress<T> would report them after the build returned.
    private sealed class Recorder(Action<JSONMessage> report) : IProgress<JSONMessage>
    {
        public void Report(JSONMessage value) => report(value);
    }
}
