using System.Text.Json.Nodes;
using Deploy.Tests.Fixtures;

namespace Deploy.Tests.Support;

/// <summary>
/// The remote engines of <see cref="RemoteDockerHosts"/> as a spec names them: over SSH (the key as a secret var, the
/// host key checked against a known_hosts file) and over TCP with mutual TLS (the client certificates' folder as a var).
/// </summary>
public static class RemoteTargets
{
    /// <summary>The private key's text, as a CI secret holds it.</summary>
    public static string SshKeyText => File.ReadAllText(RemoteDockerHosts.SshKey);

    /// <summary>The environment that passes the SSH key secret.</summary>
    public static Dictionary<string, string> SshSecrets => new() { ["DEPLOY_VAR_ssh_key"] = SshKeyText };

    /// <summary>
    /// The namespace's engine over SSH; <paramref name="knownHosts"/> defaults to the file that lists its real key, and
    /// the image comes from <paramref name="registry"/> (default the open registry on the veth address).
    /// </summary>
    public static async Task<ShopTarget> SshAsync(string? knownHosts = null, string? registry = null) => new(
        new JsonObject
        {
            ["Host"] = RemoteDockerHosts.SshHost,
            ["Ssh"] = new JsonObject { ["Key"] = "{{var.ssh_key}}", ["KnownHosts"] = knownHosts ?? RemoteDockerHosts.SshKnownHosts },
        },
        await ImageInAsync(registry ?? RemoteDockerHosts.RemoteRegistry),
        RemoteDockerHosts.RemoteAddress,
        new Dictionary<string, string>(),
        ["ssh_key"]);

    /// <summary>The TLS engine on 127.0.0.1, its client certificates' folder given by the var <c>docker_certs</c>.</summary>
    public static async Task<ShopTarget> TlsAsync() => new(
        new JsonObject
        {
            ["Host"] = RemoteDockerHosts.TlsHost,
            ["Tls"] = new JsonObject { ["CertPath"] = "{{var.docker_certs}}" },
        },
        await HelloImage.ByDigestAsync(),
        "127.0.0.1",
        new Dictionary<string, string> { ["docker_certs"] = RemoteDockerHosts.TlsCerts },
        []);

    /// <summary>The hello image by digest as <paramref name="registry"/> serves it (every test registry shares one storage).</summary>
    public static async Task<string> ImageInAsync(string registry)
    {
        var local = await HelloImage.ByDigestAsync();
        return registry + local[local.IndexOf('/')..];
    }
}
