using System.Text.Json;
using System.Text.RegularExpressions;
using Deploy.Engine.Diagnostics;
using Deploy.Engine.Docker.Tls;
using Deploy.Engine.Spec;

namespace Deploy.Engine.Docker.Ssh;

/// <summary>
/// An engine reached as the docker CLI reaches <c>ssh://user@host[:port][/path/to/docker.sock]</c>: over SSH, by running
/// <c>docker system dial-stdio</c> there. The key is a file (<c>IdentityFile</c>, default the first of ~/.ssh/id_ed25519,
/// id_ecdsa, id_rsa) or a text (<c>Key</c>, e.g. a secret var); the host key must be listed in <c>KnownHosts</c> (default
/// ~/.ssh/known_hosts) or equal the pinned <c>HostKey</c> (a <c>SHA256:</c> fingerprint or a known_hosts line).
/// </summary>
public sealed partial record SshTarget(string User, string Host, int Port, string? Socket)
{
    /// <summary>The private key's file; null when <see cref="Key"/> is given.</summary>
    public string? IdentityFile { get; init; }

    /// <summary>The private key's text (OpenSSH or PEM); a secret, never in a message.</summary>
    public string? Key { get; init; }

    /// <summary>The passphrase of an encrypted key; a secret.</summary>
    public string? Passphrase { get; init; }

    /// <summary>The known_hosts file the host key is looked up in, when no <see cref="HostKey"/> is pinned.</summary>
    public string? KnownHosts { get; init; }

    /// <summary>The pinned host key: <c>SHA256:base64</c>, or known_hosts lines.</summary>
    public string? HostKey { get; init; }

    /// <summary>The host as known_hosts names it: <c>host</c> on port 22, else <c>[host]:port</c>.</summary>
    public string KnownHostsName => Port == 22 ? Host : $"[{Host}]:{Port}";

    /// <summary>What runs on the remote host for each connection: the docker CLI bridging to the engine's socket.</summary>
    public string DialCommand => Socket is null ? "docker system dial-stdio" : $"docker -H 'unix://{Socket}' system dial-stdio";

    /// <summary>user@host:port, for messages.</summary>
    public override string ToString() => $"{User}@{Host}:{Port}";

    private const string Example = "e.g. {\"Key\": \"{{var.ssh_key}}\", \"HostKey\": \"{{var.ssh_known_host}}\"} or {\"IdentityFile\": \"~/.ssh/deploy\", \"KnownHosts\": \"~/.ssh/known_hosts\"}";

    /// <summary>The target <paramref name="text"/> names, with the settings of the spec's <c>Ssh</c> object.</summary>
    public static SshTarget? Parse(string text, string where, string path, JsonElement? ssh, string sshPath, DiagnosticBag bag, Func<string, string?> environment)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Host.Length == 0 || uri.Query.Length > 0 || uri.Fragment.Length > 0
            || uri.UserInfo.Contains(':', StringComparison.Ordinal))
        {
            bag.Add(Errors.InvalidValue, path, $"{where}: \"{text}\" must be ssh://user@host[:port][/path/to/docker.sock], e.g. ssh://deploy@docker.example.com");
            return null;
        }

        var socket = uri.AbsolutePath is "/" or "" ? null : Uri.UnescapeDataString(uri.AbsolutePath);
        if (socket is not null && !SocketPath().IsMatch(socket))
        {
            bag.Add(Errors.InvalidValue, path, $"{where}: the socket path \"{socket}\" may hold only letters, digits and / . _ -; e.g. ssh://deploy@host/var/run/docker.sock");
            return null;
        }

        var user = uri.UserInfo.Length > 0 ? Uri.UnescapeDataString(uri.UserInfo) : environment("USER") is { Length: > 0 } u ? u : Environment.UserName;
        var target = new SshTarget(user, uri.DnsSafeHost, uri.Port > 0 ? uri.Port : 22, socket);
        return ssh is { } json ? WithSettings(target, json, sshPath, bag, environment) : Defaults(target, environment);
    }

    private static SshTarget? WithSettings(SshTarget target, JsonElement ssh, string path, DiagnosticBag bag, Func<string, string?> environment)
    {
        if (!JsonReading.Object(ssh, path, bag, Example))
        {
            return null;
        }

        var before = bag.Items.Count;
        JsonReading.KnownFields(ssh, path, bag, "IdentityFile", "Key", "Passphrase", "KnownHosts", "HostKey");
        var identity = JsonReading.String(ssh, path, "IdentityFile", bag, required: false, "give the private key's file, e.g. \"~/.ssh/deploy\"");
        var key = JsonReading.String(ssh, path, "Key", bag, required: false, "give the private key's text, e.g. \"{{var.ssh_key}}\"");
        var passphrase = JsonReading.String(ssh, path, "Passphrase", bag, required: false, "give the key's passphrase, e.g. \"{{var.ssh_passphrase}}\"");
        var knownHosts = JsonReading.String(ssh, path, "KnownHosts", bag, required: false, "give a known_hosts file, e.g. \"~/.ssh/known_hosts\"");
        var hostKey = JsonReading.String(ssh, path, "HostKey", bag, required: false, "give the host key's SHA256: fingerprint or its known_hosts line");
        if (identity is not null && key is not null)
        {
            bag.Add(Errors.Conflict, path, $"give either IdentityFile or Key, not both; {Example}");
        }

        if (knownHosts is not null && hostKey is not null)
        {
            bag.Add(Errors.Conflict, path, $"give either KnownHosts or HostKey, not both; {Example}");
        }

        foreach (var (name, file) in new[] { ("IdentityFile", identity), ("KnownHosts", knownHosts) })
        {
            if (file is not null && !System.IO.Path.IsPathRooted(UserPaths.ExpandHome(file, environment)))
            {
                bag.Add(Errors.InvalidValue, JsonReading.ChildPath(ssh, path, name), $"must be an absolute path (or start with ~/), was \"{file}\"");
            }
        }

        if (bag.Items.Count > before)
        {
            return null;
        }

        var withKey = key is not null
            ? target with { Key = key }
            : target with { IdentityFile = UserPaths.ExpandHome(identity, environment) ?? DefaultIdentity(environment) };
        return withKey with
        {
            Passphrase = passphrase,
            HostKey = hostKey,
            KnownHosts = hostKey is null ? UserPaths.ExpandHome(knownHosts, environment) ?? DefaultKnownHosts(environment) : null,
        };
    }

    private static SshTarget Defaults(SshTarget target, Func<string, string?> environment) =>
        target with { IdentityFile = DefaultIdentity(environment), KnownHosts = DefaultKnownHosts(environment) };

    // As ssh does without -i: the first default key that exists (the first name when none does, for the message).
    private static string DefaultIdentity(Func<string, string?> environment)
    {
        var names = new[] { "id_ed25519", "id_ecdsa", "id_rsa" }.Select(n => System.IO.Path.Combine(UserPaths.Home(environment), ".ssh", n)).ToList();
        return names.FirstOrDefault(File.Exists) ?? names[0];
    }

    private static string DefaultKnownHosts(Func<string, string?> environment) =>
        System.IO.Path.Combine(UserPaths.Home(environment), ".ssh", "known_hosts");

    [GeneratedRegex("^/[A-Za-z0-9._/-]+$")]
    private static partial Regex SocketPath();
}
