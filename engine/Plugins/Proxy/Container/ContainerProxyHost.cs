using System.Net;
using Deploy.Engine.Docker;
using Deploy.Engine.Spec;
using Docker.DotNet;

namespace Deploy.Engine.Plugins.Proxy.Container;

/// <summary>
/// A proxy in a container on a Docker host: its file is a path inside the container, read and written through the
/// archive API; its commands run inside it through the exec API, as argv. A missing or stopped container is a sentence
/// that says to run <c>deploy proxy boot</c>.
/// </summary>
public sealed class ContainerProxyHost(DockerEngines engines, ProxyContainer container, string plugin) : IProxyHost
{
    // Proxy checks and reloads take well under a second; this bounds one that hangs.
    private static readonly TimeSpan CommandLimit = TimeSpan.FromSeconds(30);

    /// <inheritdoc />
    public string Where => container.ToString();

    /// <inheritdoc />
    public Task<byte[]?> ReadAsync(string path, CancellationToken cancellationToken) =>
        CallAsync($"reading {path} in container {container.Name}", client => ContainerFiles.ReadAsync(client, container.Name, path, cancellationToken), cancellationToken);

    /// <summary>
    /// Replaces the file in one archive extraction, creating its folder when the container lacks it (the archive API
    /// works on a created container too). The engine swaps the file while no command of this host runs, so the test and
    /// the reload that follow read the whole new file.
    /// </summary>
    public Task WriteAsync(string path, byte[] content, CancellationToken cancellationToken) =>
        CallAsync($"writing {path} in container {container.Name}", async client =>
        {
            try
            {
                await ContainerFiles.WriteAsync(client, container.Name, path, content, cancellationToken);
            }
            catch (DockerApiException e) when (e.StatusCode == HttpStatusCode.NotFound && !ProxyContainerErrors.IsMissing(e))
            {
                await ContainerFolders.EnsureAsync(client, container.Name, path[..Math.Max(path.LastIndexOf('/'), 1)], cancellationToken);
                await ContainerFiles.WriteAsync(client, container.Name, path, content, cancellationToken);
            }
            catch (DockerApiException e) when ((e.ResponseBody ?? "").Contains("device or resource busy", StringComparison.Ordinal))
            {
                // The archive API replaces a file by unlinking it, which a mount point refuses.
                var folder = path[..Math.Max(path.LastIndexOf('/'), 1)];
                throw new Diagnostics.DeployException(Diagnostics.Errors.PluginFailed,
                    $"{plugin}: {path} in container {container.Name} is a bind mount of a single file, which cannot be replaced; " +
                    $"mount its folder instead (e.g. \"/srv/shop/deploy:{folder}\") or leave the file in the container");
            }

            return true;
        }, cancellationToken);

    /// <summary>Removes the file with <c>rm -f</c> inside the container: the archive API can add files but not remove them.</summary>
    public async Task DeleteAsync(string path, CancellationToken cancellationToken)
    {
        if (await RunAsync(["rm", "-f", "--", path], cancellationToken) is { } failed)
        {
            throw new Diagnostics.DeployException(Diagnostics.Errors.PluginFailed,
                $"{plugin}: {path} could not be removed from container {container.Name}: {failed}; remove it by hand before the next flip");
        }
    }

    /// <inheritdoc />
    public async Task<string?> RunAsync(IReadOnlyList<string> argv, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(CommandLimit);
        try
        {
            var result = await CallAsync($"running {argv[0]} in container {container.Name}",
                client => ContainerExec.RunAsync(client, container.Name, argv, limit.Token), limit.Token);
            return result.Succeeded ? null : $"{result.Describe(argv)} (in {Where})";
        }
        catch (OperationCanceledException) when (limit.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return $"'{string.Join(' ', argv)}' did not finish within {Duration.Format(CommandLimit)} in {Where}";
        }
    }

    private Task<T> CallAsync<T>(string doing, Func<DockerClient, Task<T>> call, CancellationToken cancellationToken) =>
        engines.RunAsync(container.Host, doing, client => ProxyContainerErrors.MapAsync(plugin, container, () => call(client)), cancellationToken);
}
