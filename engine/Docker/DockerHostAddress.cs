using Deploy.Engine.Diagnostics;

namespace Deploy.Engine.Docker;

/// <summary>
/// Where a Docker engine answers: <c>unix:///path/to/docker.sock</c> today. The scheme is kept so that <c>tcp://</c> (TLS)
/// and <c>ssh://user@host</c> fit beside it. Written as the docker CLI writes <c>DOCKER_HOST</c>.
/// </summary>
public sealed record DockerHostAddress(string Scheme, string Path)
{
    /// <summary>The docker CLI's default socket, used when neither the spec's <c>Host</c> nor <c>DOCKER_HOST</c> is set.</summary>
    public const string DefaultSocket = "/var/run/docker.sock";

    /// <summary>The address as users write it, e.g. <c>unix:///var/run/docker.sock</c>.</summary>
    public override string ToString() => $"{Scheme}://{Path}";

    /// <summary>The URI the Docker client connects to.</summary>
    public Uri Uri => new(ToString());

    /// <summary>
    /// The spec's <c>Host</c> when set, else <c>DOCKER_HOST</c>, else the default socket; null with an error in
    /// <paramref name="bag"/> (at <paramref name="path"/>) when the address cannot be used.
    /// </summary>
    public static DockerHostAddress? Resolve(string? host, string path, DiagnosticBag bag, Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        var fromEnvironment = string.IsNullOrWhiteSpace(host);
        var text = fromEnvironment ? environment("DOCKER_HOST") : host;
        if (string.IsNullOrWhiteSpace(text))
        {
            return new("unix", DefaultSocket);
        }

        var where = fromEnvironment ? "DOCKER_HOST" : path;
        if (text.StartsWith("unix://", StringComparison.Ordinal))
        {
            var socket = text["unix://".Length..];
            if (!socket.StartsWith('/'))
            {
                bag.Add(Errors.InvalidValue, path, $"{where}: \"{text}\" must name an absolute socket path, e.g. unix://{DefaultSocket}");
                return null;
            }

            return new("unix", socket);
        }

        var scheme = text.Contains("://", StringComparison.Ordinal) ? text[..text.IndexOf("://", StringComparison.Ordinal)] : "(none)";
        bag.Add(Errors.InvalidValue, path,
            $"{where}: \"{text}\" uses scheme {scheme}, which Deploy cannot reach yet; use unix:///path/to/docker.sock (tcp:// and ssh:// hosts are not supported yet)");
        return null;
    }
}
