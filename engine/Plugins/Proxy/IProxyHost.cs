namespace Deploy.Engine.Plugins.Proxy;

/// <summary>
/// Where a config-file proxy lives: the file it includes and the commands that test and reload it. Either this machine
/// (<see cref="LocalProxyHost"/>) or a container on a Docker host (<see cref="Container.ContainerProxyHost"/>);
/// <see cref="ConfigSwap"/> gives the same guarantees on both (write, test, reload, byte-exact restore).
/// </summary>
public interface IProxyHost
{
    /// <summary>Where, for messages: <c>this machine</c>, or <c>container shop-proxy on unix:///var/run/docker.sock</c>.</summary>
    string Where { get; }

    /// <summary>The file's bytes, or null when there is none. Reads only; calling it twice reads twice.</summary>
    Task<byte[]?> ReadAsync(string path, CancellationToken cancellationToken);

    /// <summary>Replaces the file with <paramref name="content"/>, creating its folder; writing the same bytes twice is harmless.</summary>
    Task WriteAsync(string path, byte[] content, CancellationToken cancellationToken);

    /// <summary>Removes the file; does nothing when it is already gone.</summary>
    Task DeleteAsync(string path, CancellationToken cancellationToken);

    /// <summary>
    /// Runs <paramref name="argv"/> (no shell) where the proxy runs and waits for it: null when it exited 0, else one
    /// sentence saying how it failed. Runs again when called again.
    /// </summary>
    Task<string?> RunAsync(IReadOnlyList<string> argv, CancellationToken cancellationToken);
}
