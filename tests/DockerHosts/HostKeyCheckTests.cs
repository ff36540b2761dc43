using System.Security.Cryptography;
using System.Text;
using Deploy.Engine.Docker.Ssh;
using Deploy.Tests.Support;

namespace Deploy.Tests.DockerHosts;

/// <summary>
/// The host key decision, as OpenSSH's StrictHostKeyChecking=yes makes it: a key listed for the host (plain, [host]:port,
/// wildcard or hashed names) or equal to the pinned fingerprint is trusted; anything else is refused with the fingerprint
/// to pin. Keys here are random blobs: the check compares them, it never parses them.
/// </summary>
public sealed class HostKeyCheckTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly byte[] _key = RandomNumberGenerator.GetBytes(51);
    private readonly byte[] _other = RandomNumberGenerator.GetBytes(51);

    public void Dispose() => _dir.Dispose();

    private SshTarget Target(int port, string knownHosts) =>
        new SshTarget("deploy", "web1.example.com", port, null) { KnownHosts = _dir.Write("known_hosts", knownHosts) };

    private static string Line(string names, byte[] key) => $"{names} ssh-ed25519 {Convert.ToBase64String(key)}\n";

    [Theory]
    [InlineData(22, "web1.example.com")]
    [InlineData(22, "other,web1.example.com")]
    [InlineData(2222, "[web1.example.com]:2222")]
    [InlineData(22, "*.example.com")]
    [InlineData(22, "WEB1.example.com")]
    public void ListedKey_IsTrusted(int port, string names)
    {
        HostKeyCheck.Refusal(Target(port, "# comment\n" + Line(names, _key)), "ssh-ed25519", _key).ShouldBeNull();
    }

    [Fact]
    public void HashedName_IsMatched()
    {
        var salt = RandomNumberGenerator.GetBytes(20);
        var hash = HMACSHA1.HashData(salt, Encoding.UTF8.GetBytes("[web1.example.com]:2222"));
        var names = $"|1|{Convert.ToBase64String(salt)}|{Convert.ToBase64String(hash)}";

        HostKeyCheck.Refusal(Target(2222, Line(names, _key)), "ssh-ed25519", _key).ShouldBeNull();
        HostKeyCheck.Refusal(Target(22, Line(names, _key)), "ssh-ed25519", _key).ShouldNotBeNull();
    }

    [Fact]
    public void UnknownHost_IsRefusedWithTheFingerprintToPin()
    {
        var refusal = HostKeyCheck.Refusal(Target(2222, Line("web1.example.com", _key)), "ssh-ed25519", _key);

        refusal.ShouldNotBeNull();
        refusal.ShouldContain("is not in");
        refusal.ShouldContain(HostKeyCheck.Fingerprint(_key));
        refusal.ShouldContain("ssh-keyscan -p 2222 web1.example.com");
    }

    [Fact]
    public void NegatedName_IsNotMatchedByTheWildcardBeside()
    {
        HostKeyCheck.Refusal(Target(22, Line("!web1.example.com,*.example.com", _key)), "ssh-ed25519", _key).ShouldNotBeNull();
    }

    [Fact]
    public void ChangedKey_IsRefusedAsPossiblyIntercepted()
    {
        var refusal = HostKeyCheck.Refusal(Target(22, Line("web1.example.com", _other)), "ssh-ed25519", _key);

        refusal.ShouldNotBeNull();
        refusal.ShouldContain("does not match");
        refusal.ShouldContain("someone may be in between");
    }

    [Fact]
    public void RevokedKey_IsRefused()
    {
        HostKeyCheck.Refusal(Target(22, "@revoked " + Line("*", _key) + Line("web1.example.com", _key)), "ssh-ed25519", _key)
            .ShouldNotBeNull().ShouldContain("@revoked");
    }

    [Fact]
    public void PinnedFingerprint_OrLine_DecidesWithoutAFile()
    {
        var pinned = new SshTarget("deploy", "web1.example.com", 22, null) { HostKey = HostKeyCheck.Fingerprint(_key) };
        HostKeyCheck.Refusal(pinned, "ssh-ed25519", _key).ShouldBeNull();
        HostKeyCheck.Refusal(pinned, "ssh-ed25519", _other).ShouldNotBeNull().ShouldContain("is not the pinned Ssh.HostKey");

        var line = pinned with { HostKey = Line("web1.example.com", _key) };
        HostKeyCheck.Refusal(line, "ssh-ed25519", _key).ShouldBeNull();
        HostKeyCheck.Refusal(line, "ssh-ed25519", _other).ShouldNotBeNull();
    }

    [Fact]
    public void MissingKnownHostsFile_IsARefusal()
    {
        var target = new SshTarget("deploy", "web1.example.com", 22, null) { KnownHosts = Path.Combine(_dir.Path, "absent") };

        HostKeyCheck.Refusal(target, "ssh-ed25519", _key).ShouldNotBeNull().ShouldContain("cannot be read");
    }
}
