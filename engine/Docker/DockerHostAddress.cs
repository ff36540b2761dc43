using System.Net;
using System.Text.Json;
using Deploy.Engine.Diagnostics;
using Deploy.Engine.Docker.Ssh;
using Deploy.Engine.Docker.Tls;
using Deploy.Engine.Spec;

namespace Deploy.Engine.Docker;

/// <summary>
/// Where a Docker engine answers, written as the docker CLI writes <c>DOCKER_HOST</c>: <c>unix:///var/run/docker.sock</c>,
/// <c>tcp://host:2376</c> (with <see cref="Tls"/>, or plain on loopback) or <c>ssh://user@host[:port][/socket]</c> (with
/// <see cref="Ssh"/>). Two addresses are the same engine connection only when their credentials are the same too.
/// </summary>
public sealed record DockerHostAddress(string Scheme, string Path)
{
    /// <summary>The docker CLI's default socket, used when neither the spec's <c>Host</c> nor <c>DOCKER_HOST</c> is set.</summary>
    public const string DefaultSocket = "/var/run/docker.sock";

    /// <summary>The properties, beside <c>Host</c>, that say how to reach it; every plugin that takes <c>Host</c> takes them.</summary>
    public static readonly string[] Fields = ["Host", "Tls", "Ssh", "AllowPlainTcp"];

    /// <summary>For <c>tcp://</c>: the client certificate and the CA the engine's certificate must be signed by.</summary>
    public DockerTls? Tls { get; init; }

    /// <summary>For <c>ssh://</c>: the user, host, port and socket, the key and how the host key is checked.</summary>
    public SshTarget? Ssh { get; init; }

    /// <summary>The address as users write it, e.g. <c>ssh://deploy@web1:22/var/run/docker.sock</c>; never a credential.</summary>
    public override string ToString() => $"{Scheme}://{Path}";

    /// <summary>
    /// True for an engine on another machine (ssh://, or tcp:// to a host other than loopback): the addresses of its
    /// containers are that machine's, which this one may not reach.
    /// </summary>
    public bool IsRemote => Scheme == "ssh" || Scheme == "tcp" && !IsLoopback(Uri);

    /// <summary>The URI the Docker client connects to (tcp:// for TCP, with or without TLS).</summary>
    public Uri Uri => new(ToString());

    /// <summary>
    /// The address from <c>Host</c> and its <c>Tls</c>, <c>Ssh</c> and <c>AllowPlainTcp</c> in <paramref name="properties"/>;
    /// without <c>Host</c>, <c>DOCKER_HOST</c> (and <c>DOCKER_TLS_VERIFY</c>/<c>DOCKER_CERT_PATH</c>), else the default
    /// socket. Null with every problem in <paramref name="bag"/> when it cannot be used. No file is read and no network
    /// is touched: credentials are loaded when the engine is first called.
    /// </summary>
    public static DockerHostAddress? Read(JsonElement properties, string path, DiagnosticBag bag, Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        var before = bag.Items.Count;
        var hostText = JsonReading.String(properties, path, "Host", bag, required: false,
            "give the engine's address, e.g. \"unix:///var/run/docker.sock\", \"tcp://docker.example.com:2376\" or \"ssh://deploy@docker.example.com\"");
        var allowPlain = JsonReading.Bool(properties, path, "AllowPlainTcp", bag) ?? false;
        var tls = JsonReading.TryGet(properties, "Tls", out var tlsJson)
            ? DockerTls.Read(tlsJson, JsonReading.ChildPath(properties, path, "Tls"), bag, environment)
            : null;
        var sshJson = JsonReading.TryGet(properties, "Ssh", out var s) ? s : (JsonElement?)null;
        if (bag.Items.Count > before)
        {
            return null; // a Tls that cannot be used is the one error: not also "no TLS" on the Host
        }

        var address = Resolve(hostText, JsonReading.ChildPath(properties, path, "Host"), bag, environment, tls, sshJson,
            JsonReading.ChildPath(properties, path, "Ssh"), allowPlain);
        if (address is not null && address.Scheme != "tcp" && tls is not null)
        {
            bag.Add(Errors.Conflict, JsonReading.ChildPath(properties, path, "Tls"),
                $"Tls is for tcp:// hosts and {address} is not one; remove Tls, or give a tcp://host:2376 Host");
        }

        if (address is not null && address.Scheme != "ssh" && sshJson is not null)
        {
            bag.Add(Errors.Conflict, JsonReading.ChildPath(properties, path, "Ssh"),
                $"Ssh is for ssh:// hosts and {address} is not one; remove Ssh, or give an ssh://user@host Host");
        }

        return bag.Items.Count > before ? null : address;
    }

    /// <summary>
    /// The address <paramref name="host"/> names, else <c>DOCKER_HOST</c>, else the default socket; null with an error in
    /// <paramref name="bag"/> (at <paramref name="path"/>) when it cannot be used.
    /// </summary>
    public static DockerHostAddress? Resolve(string? host, string path, DiagnosticBag bag, Func<string, string?>? environment = null,
        DockerTls? tls = null, JsonElement? ssh = null, string? sshPath = null, bool allowPlainTcp = false)
    {
        environment ??= Environment.GetEnvironmentVariable;
        var fromEnvironment = string.IsNullOrWhiteSpace(host);
        var text = fromEnvironment ? environment("DOCKER_HOST") : host;
        if (string.IsNullOrWhiteSpace(text))
        {
            return new("unix", DefaultSocket);
        }

        var where = fromEnvironment ? "DOCKER_HOST" : "Host";
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

        if (text.StartsWith("tcp://", StringComparison.Ordinal))
        {
            return Tcp(text, where, path, bag, tls ?? DockerTls.FromEnvironment(environment), allowPlainTcp);
        }

        if (text.StartsWith("ssh://", StringComparison.Ordinal))
        {
            var target = SshTarget.Parse(text, where, path, ssh, sshPath ?? path, bag, environment);
            return target is null ? null : new("ssh", text["ssh://".Length..]) { Ssh = target };
        }

        var scheme = text.Contains("://", StringComparison.Ordinal) ? text[..text.IndexOf("://", StringComparison.Ordinal)] : "(none)";
        bag.Add(Errors.InvalidValue, path,
            $"{where}: \"{text}\" uses scheme {scheme}, which Deploy cannot reach; use unix:///path/to/docker.sock, tcp://host:2376 (with Tls) or ssh://user@host");
        return null;
    }

    private static DockerHostAddress? Tcp(string text, string where, string path, DiagnosticBag bag, DockerTls? tls, bool allowPlainTcp)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Host.Length == 0 || uri.IsDefaultPort || uri.AbsolutePath is not ("/" or "")
            || uri.UserInfo.Length > 0)
        {
            bag.Add(Errors.InvalidValue, path, $"{where}: \"{text}\" must be tcp://host:port, e.g. tcp://docker.example.com:2376");
            return null;
        }

        var authority = uri.HostNameType == UriHostNameType.IPv6 ? $"[{uri.DnsSafeHost}]:{uri.Port}" : $"{uri.Host}:{uri.Port}";
        if (tls is null && !allowPlainTcp && !IsLoopback(uri))
        {
            bag.Add(Errors.InvalidValue, path,
                $"{where}: \"{text}\" has no TLS, so anyone who reaches that port controls the engine; give Tls (or DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH) for an engine started with --tlsverify, use an ssh:// host, or set \"AllowPlainTcp\": true if that network is yours alone");
            return null;
        }

        return new("tcp", authority) { Tls = tls };
    }

    private static bool IsLoopback(Uri uri) =>
        uri.IsLoopback || IPAddress.TryParse(uri.DnsSafeHost, out var ip) && IPAddress.IsLoopback(ip);
}
