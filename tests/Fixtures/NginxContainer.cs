using System.Text.Json;
using Deploy.Engine.Commands;
using Deploy.Engine.Plugins.Proxy;
using Deploy.Engine.Plugins.Proxy.Nginx;

namespace Deploy.Tests.Fixtures;

/// <summary>
/// nginx in a container (<see cref="DockerTestEngine.Nginx"/>, host network) as a user would run it with
/// <c>deploy proxy boot</c>: their nginx.conf, from a folder on the Docker host, mounted read-only over the image's; it
/// listens on 127.0.0.1:<see cref="Port"/> and includes <see cref="UpstreamFile"/>, which boot writes before the start.
/// </summary>
public sealed class NginxContainer
{
    /// <summary>The file proxy-nginx rewrites, inside the container.</summary>
    public const string UpstreamFile = "/etc/nginx/deploy/upstream.conf";

    private NginxContainer(string name, int port, string folder)
    {
        Name = name;
        Port = port;
        Folder = folder;
    }

    /// <summary>The container's name.</summary>
    public string Name { get; }

    /// <summary>The port nginx listens on (127.0.0.1, host network).</summary>
    public int Port { get; }

    /// <summary>The folder on this machine (the Docker host) holding the mounted nginx.conf.</summary>
    public string Folder { get; }

    /// <summary>The app through nginx.</summary>
    public Uri Url => new($"http://127.0.0.1:{Port}/");

    /// <summary>
    /// Writes nginx.conf for a new container name of <paramref name="containers"/> on a free port; boots nothing yet
    /// (call <see cref="BootAsync"/>, or use <see cref="Properties"/> with the plugin's own boot).
    /// </summary>
    public static NginxContainer Prepare(TestContainers containers)
    {
        var folder = containers.NewFolder("deploy-nginx-container-");
        var port = ProxyFixtures.FreePortRange(1);
        File.WriteAllText(Path.Combine(folder, "nginx.conf"), $$"""
            worker_processes 1;
            error_log stderr notice;
            pid /run/nginx.pid;
            events { worker_connections 256; }
            http {
                access_log off;
                include {{UpstreamFile}};
                server {
                    listen 127.0.0.1:{{port}};
                    location / {
                        proxy_pass http://app;
                        proxy_http_version 1.1;
                        proxy_set_header Connection "";
                    }
                }
            }
            """);
        return new NginxContainer(containers.NewName("nginx"), port, folder);
    }

    /// <summary>Prepares and boots the container through proxy-nginx, then waits until nginx accepts connections.</summary>
    public static async Task<NginxContainer> StartAsync(TestContainers containers, string app = "shop")
    {
        var nginx = Prepare(containers);
        await new NginxProxyPlugin(new CommandRunner(), containers.Engines).BootAsync(nginx.Target(), app, CancellationToken.None);
        await ProxyFixtures.WaitForPortAsync(nginx.Port);
        return nginx;
    }

    /// <summary>The proxy-nginx properties for this container; pass commands to replace the working ones.</summary>
    public JsonElement Properties(IReadOnlyList<string>? testCommand = null, IReadOnlyList<string>? reloadCommand = null, string? container = null,
        string? upstreamFile = null, IReadOnlyList<string>? moreMounts = null) =>
        JsonSerializer.SerializeToElement(new
        {
            UpstreamFile = upstreamFile ?? UpstreamFile,
            Upstream = "app",
            TestCommand = testCommand ?? ["nginx", "-t", "-q"],
            ReloadCommand = reloadCommand ?? ["nginx", "-s", "reload"],
            Url = Url.ToString(),
            Container = container ?? Name,
            Host = DockerTestEngine.Host,
            Boot = new
            {
                Image = DockerTestEngine.Nginx,
                Network = "host",
                Mounts = (string[])[$"{Path.Combine(Folder, "nginx.conf")}:/etc/nginx/nginx.conf:ro", .. moreMounts ?? []],
                Command = new[] { "nginx", "-g", "daemon off;" },
            },
        });

    /// <summary>The target for this container; the base directory is the config folder (never used for in-container paths).</summary>
    public ProxyTarget Target(IReadOnlyList<string>? testCommand = null, IReadOnlyList<string>? reloadCommand = null, string? container = null,
        string? upstreamFile = null, IReadOnlyList<string>? moreMounts = null) =>
        new(Properties(testCommand, reloadCommand, container, upstreamFile, moreMounts), Folder);
}
