using Deploy.Engine.Diagnostics;
using Deploy.Engine.Docker;
using Deploy.Engine.Events;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace Deploy.Engine.Plugins.Instance.Docker;

/// <summary>Makes an image present on an engine as <see cref="PullPolicy"/> says, through the images API.</summary>
internal sealed class ImagePull(DockerEngines engines, IDeployEvents events)
{
    /// <summary>Returns once <paramref name="image"/> is on the engine; a missing image that may not or cannot be pulled throws (exit 1).</summary>
    public async Task EnsureAsync(DockerHostAddress host, ImageReference image, PullPolicy pull, RegistryLogin? login, CancellationToken cancellationToken)
    {
        if (pull != PullPolicy.Always && await IsPresentAsync(host, image, cancellationToken))
        {
            return;
        }

        if (pull == PullPolicy.Never)
        {
            throw new DeployException(Errors.PluginFailed,
                $"image {image} is not on the Docker engine at {host} and Pull is \"never\"; load or pull it there first (docker pull {image}), or set Pull to \"missing\"");
        }

        var auth = RegistryCredentials.For(image.Repository, login);
        events.Info($"Pulling image {image} on the Docker engine at {host}{(auth is null ? "" : " with the login for " + RegistryCredentials.RegistryOf(image.Repository))}");
        await engines.RunAsync(host, $"pulling image {image}", async client =>
        {
            var progress = new FirstError();
            string? failure;
            try
            {
                await client.Images.CreateImageAsync(new ImagesCreateParameters { FromImage = image.Repository, Tag = image.PullTag }, auth, progress, cancellationToken);
                failure = progress.Message;
            }
            catch (DockerApiException e)
            {
                failure = progress.Message ?? DockerEngines.Reason(e);
            }

            if (failure is not null && Unauthorized(failure))
            {
                var registry = RegistryCredentials.RegistryOf(image.Repository);
                throw new DeployException(Errors.PluginFailed, auth is null
                    ? $"image {image} could not be pulled by the Docker engine at {host}: the registry {registry} asks for a login ({failure}); give RegistryAuth with secret vars, or 'docker login {registry}' on the machine that deploys (its Docker config file is read, never copied)"
                    : $"image {image} could not be pulled by the Docker engine at {host}: the registry {registry} refused the login ({failure}); check the user and password or token in RegistryAuth (or 'docker login {registry}')");
            }

            if (failure is not null)
            {
                throw new DeployException(Errors.PluginFailed,
                    $"image {image} could not be pulled from the registry by the Docker engine at {host}: {failure}; check the name and tag, that the registry is reachable from that engine, and its login ('docker login') for a private registry");
            }

            return true;
        }, cancellationToken);
    }

    private static bool Unauthorized(string failure) =>
        failure.Contains("unauthorized", StringComparison.OrdinalIgnoreCase) || failure.Contains("no basic auth credentials", StringComparison.OrdinalIgnoreCase)
        || failure.Contains("authentication required", StringComparison.OrdinalIgnoreCase);

    private Task<bool> IsPresentAsync(DockerHostAddress host, ImageReference image, CancellationToken cancellationToken) =>
        engines.RunAsync(host, $"looking for image {image}", async client =>
        {
            try
            {
                await client.Images.InspectImageAsync(image.Text, cancellationToken);
                return true;
            }
            catch (DockerImageNotFoundException)
            {
                return false;
            }
            catch (DockerApiException e) when (e.StatusCode == System.Net.HttpStatusCode.NotFound)
            {
                return false;
            }
        }, cancellationToken);

    // Reports synchronously: Progress<T> would post to the thread pool, and an error could arrive after the pull returned.
    private sealed class FirstError : IProgress<JSONMessage>
    {
        public string? Message { get; private set; }

        public void Report(JSONMessage value)
        {
            if (Message is null && value.Error?.Message is { Length: > 0 } message)
            {
                Message = message;
            }
        }
    }
}
