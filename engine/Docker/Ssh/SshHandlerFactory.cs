using Docker.DotNet.Handler.Abstractions;
using Microsoft.Extensions.Logging;
using Microsoft.Net.Http.Client;

namespace Deploy.Engine.Docker.Ssh;

/// <summary>
/// The Docker client's transport for <c>ssh://</c> engines: HTTP/1.1 over streams that <see cref="SshSessions"/> opens,
/// one <c>docker system dial-stdio</c> per connection, as the docker CLI does. SSH.NET cannot forward a unix socket, so
/// the docker CLI on the remote host bridges to it.
/// </summary>
internal sealed class SshHandlerFactory : IDockerHandlerFactory<SshSessions>
{
    public static readonly SshHandlerFactory Instance = new();

    // The host part is never dialled: every connection is a new exec channel.
    private static readonly Uri Endpoint = new("http://docker.ssh");

    public ResolvedTransport CreateHandler(SshSessions sessions, ResolvedClientOptions clientOptions, ILogger logger) =>
        new(new ManagedHandler((_, _, cancellationToken) => sessions.DialAsync(cancellationToken), logger), Endpoint);

    public ResolvedTransport CreateHandler(ResolvedClientOptions clientOptions, ILogger logger) =>
        throw new InvalidOperationException("the SSH transport needs the sessions of its host");

    public Task<WriteClosableStream> HijackStreamAsync(HttpContent content) =>
        content is HttpConnectionResponseContent hijackable
            ? Task.FromResult(hijackable.HijackStream())
            : throw new NotSupportedException("the response cannot be taken over as a stream");
}
