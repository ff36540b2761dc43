using System.Net;
using Deploy.Engine.Diagnostics;
using Deploy.Engine.Docker;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace Deploy.Engine.Plugins.Proxy.Container;

/// <summary>
/// Starts a proxy's container like <c>kamal proxy boot</c>: a running one is left alone; a stopped one is started; a
/// missing one is created from <see cref="ProxyBootSettings"/> (image pulled when the engine lacks it, restart policy
/// unless-stopped, label <c>deploy.proxy=APP</c>). Before a start, the file the proxy includes is written with "no colour
/// is live" when the container has none, so a proxy whose configuration includes it can start before the first flip.
/// </summary>
public sealed class ProxyBoot(DockerEngines engines, string plugin)
{
    /// <summary>The label naming the app whose proxy a container is.</summary>
    public const string Label = "deploy.proxy";

    // A proxy whose configuration is broken exits within a few hundred milliseconds of its start.
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(1);

    /// <summary>Boots <paramref name="container"/> for <paramref name="app"/>; see the class summary. Idempotent.</summary>
    public Task<BootResult> BootAsync(ProxyContainer container, string app, ProxyBootFile initial, string baseDirectory, CancellationToken cancellationToken) =>
        engines.RunAsync(container.Host, $"{plugin}: booting container {container.Name}", async client =>
        {
            var steps = new List<string>();
            var state = await InspectAsync(client, container.Name, cancellationToken);
            if (state is { Running: true, Restarting: false })
            {
                steps.Add($"container {container.Name} is already running; nothing changed");
                return new BootResult(container.Name, container.Host.ToString(), BootOutcome.AlreadyRunning, steps);
            }

            var outcome = BootOutcome.Started;
            if (state is null)
            {
                var boot = container.Boot ?? throw new DeployException(Errors.Refused,
                    $"{plugin}: there is no container \"{container.Name}\" on the Docker engine at {container.Host}, and the proxy's properties have no Boot " +
                    "to create it from; add e.g. \"Boot\": {\"Image\": \"nginx:1.27\", \"Mounts\": [\"/srv/shop/nginx.conf:/etc/nginx/nginx.conf:ro\"]}");
                var files = ReadFiles(boot, baseDirectory); // before anything is created: a missing file changes nothing
                await EnsureImageAsync(client, container, boot.Image, steps, cancellationToken);
                await CreateAsync(client, container.Name, app, boot, cancellationToken);
                steps.Add($"created container {container.Name} from {boot.Image} (network {boot.Network}, restart unless-stopped, label {Label}={app})");
                foreach (var (target, content) in files)
                {
                    await ContainerFolders.EnsureAsync(client, container.Name, target[..Math.Max(target.LastIndexOf('/'), 1)], cancellationToken);
                    await ContainerFiles.WriteAsync(client, container.Name, target, content, cancellationToken);
                    steps.Add($"copied {boot.Files[target]} to {target}");
                }
                outcome = BootOutcome.Created;
            }

            if (await ContainerFiles.ReadAsync(client, container.Name, initial.Path, cancellationToken) is null)
            {
                await ContainerFolders.EnsureAsync(client, container.Name, initial.Path[..Math.Max(initial.Path.LastIndexOf('/'), 1)], cancellationToken);
                await ContainerFiles.WriteAsync(client, container.Name, initial.Path, initial.Content, cancellationToken);
                steps.Add($"wrote {initial.Path} with no colour live (the first flip fills it)");
            }

            await client.Containers.StartContainerAsync(container.Name, new ContainerStartParameters(), cancellationToken);
            await WaitRunningAsync(client, container, cancellationToken);
            steps.Add($"started container {container.Name}");
            return new BootResult(container.Name, container.Host.ToString(), outcome, steps);
        }, cancellationToken);

    private Dictionary<string, byte[]> ReadFiles(ProxyBootSettings boot, string baseDirectory)
    {
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var (target, source) in boot.Files)
        {
            var path = Path.GetFullPath(Path.Combine(baseDirectory, source));
            try
            {
                files[target] = System.IO.File.ReadAllBytes(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new DeployException(Errors.Refused,
                    $"{plugin}: Boot.Files names {path} for {target}, and it cannot be read ({e.GetType().Name}); nothing was created. Give a file relative to the spec's folder");
            }
        }

        return files;
    }

    private static async Task<global::Docker.DotNet.Models.State?> InspectAsync(DockerClient client, string name, CancellationToken cancellationToken)
    {
        try
        {
            return (await client.Containers.InspectContainerAsync(name, cancellationToken)).State;
        }
        catch (DockerApiException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    private async Task EnsureImageAsync(DockerClient client, ProxyContainer container, string image, List<string> steps, CancellationToken cancellationToken)
    {
        if (await HasImageAsync(client, image, cancellationToken))
        {
            return;
        }

        var messages = new PullMessages();
        string? why = null;
        try
        {
            // An image without tag or digest would pull every tag of its repository: name the one docker run would use.
            var tagged = image.Contains('@') || image[(image.LastIndexOf('/') + 1)..].Contains(':');
            var login = Deploy.Engine.Plugins.Instance.Docker.ImageReference.TryParse(image, out _) is { } reference ? RegistryCredentials.For(reference.Repository, null) : null;
            await client.Images.CreateImageAsync(new ImagesCreateParameters { FromImage = image, Tag = tagged ? null : "latest" }, login, messages, cancellationToken);
        }
        catch (DockerApiException e)
        {
            why = DockerEngines.Reason(e);
        }

        if (!await HasImageAsync(client, image, cancellationToken))
        {
            throw new DeployException(Errors.PluginFailed,
                $"{plugin}: the image {image} is not on the Docker engine at {container.Host} and could not be pulled: {why ?? messages.LastError ?? "the pull ended without it"}; " +
                "check Boot.Image, or load the image on that engine (docker pull / docker load) and run 'deploy proxy boot' again");
        }

        steps.Add($"pulled {image}");
    }

    private static async Task<bool> HasImageAsync(DockerClient client, string image, CancellationToken cancellationToken)
    {
        try
        {
            await client.Images.InspectImageAsync(image, cancellationToken);
            return true;
        }
        catch (DockerApiException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    private static Task CreateAsync(DockerClient client, string name, string app, ProxyBootSettings boot, CancellationToken cancellationToken) =>
        client.Containers.CreateContainerAsync(new CreateContainerParameters
        {
            Name = name,
            Image = boot.Image,
            Cmd = boot.Command?.ToList()!, // null: the image's own command
            Labels = new Dictionary<string, string> { [Label] = app },
            HostConfig = new HostConfig
            {
                NetworkMode = boot.Network,
                Binds = boot.Mounts.ToList(),
                RestartPolicy = new RestartPolicy { Name = RestartPolicyKind.UnlessStopped },
            },
        }, cancellationToken);

    // A proxy that cannot load its configuration exits at once (and, with the restart policy, restarts in a loop): say
    // so with its own last words rather than report a start that did not hold.
    private async Task WaitRunningAsync(DockerClient client, ProxyContainer container, CancellationToken cancellationToken)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (clock.Elapsed < Settle)
        {
            var state = await InspectAsync(client, container.Name, cancellationToken);
            if (state is not { Running: true, Restarting: false })
            {
                var logs = await LogTailAsync(client, container.Name, cancellationToken);
                throw new DeployException(Errors.PluginFailed,
                    $"{plugin}: container {container.Name} stopped right after it started (exit code {state?.ExitCode.ToString() ?? "unknown"})" +
                    (logs.Length > 0 ? $": {logs}" : "") + "; fix the proxy's configuration (Boot.Mounts, Boot.Command) and run 'deploy proxy boot' again");
            }

            await Task.Delay(100, cancellationToken);
        }
    }

    private static async Task<string> LogTailAsync(DockerClient client, string name, CancellationToken cancellationToken)
    {
        using var stream = await client.Containers.GetContainerLogsAsync(name, new ContainerLogsParameters { ShowStdout = true, ShowStderr = true, Tail = "5" }, cancellationToken);
        var (stdout, stderr) = await stream.ReadOutputToEndAsync(cancellationToken);
        var text = string.Join(" | ", (stderr + "\n" + stdout).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        return text.Length > 600 ? "..." + text[^600..] : text;
    }

    // Records as the messages arrive (Progress<T> would post them later, after the pull returned).
    private sealed class PullMessages : IProgress<JSONMessage>
    {
        public string? LastError { get; private set; }

        public void Report(JSONMessage value)
        {
            if (value.Error?.Message is { Length: > 0 } message)
            {
                LastError = message;
            }
        }
    }
}
