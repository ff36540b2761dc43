using System.Text.Json;
using Deploy.Engine.Diagnostics;
using Deploy.Engine.Docker;

namespace Deploy.Tests.DockerHosts;

/// <summary>
/// How <c>Host</c> with its <c>Tls</c>, <c>Ssh</c> and <c>AllowPlainTcp</c> is read: remote engines over TLS or SSH,
/// plain TCP only where it cannot be overheard, every problem at its path. No network and no file is touched.
/// </summary>
public sealed class RemoteHostAddressTests
{
    private static readonly Dictionary<string, string?> NoEnvironment = new() { ["HOME"] = "/home/ci", ["USER"] = "ci" };

    private static (DockerHostAddress? Address, List<Diagnostic> Errors) Read(string json, Dictionary<string, string?>? environment = null)
    {
        var bag = new DiagnosticBag();
        var env = environment ?? NoEnvironment;
        var address = DockerHostAddress.Read(JsonDocument.Parse(json).RootElement, "$.P", bag, name => env.GetValueOrDefault(name));
        return (address, bag.Items.ToList());
    }

    [Theory]
    [InlineData("tcp://127.0.0.1:2375")]
    [InlineData("tcp://localhost:2375")]
    [InlineData("tcp://[::1]:2375")]
    public void PlainTcp_OnLoopback_IsAllowed(string host)
    {
        var (address, errors) = Read($$"""{"Host": "{{host}}"}""");

        errors.ShouldBeEmpty();
        address!.Scheme.ShouldBe("tcp");
        address.Tls.ShouldBeNull();
    }

    [Fact]
    public void PlainTcp_ToAnotherHost_IsRefusedUnlessAllowedExplicitly()
    {
        var (refused, errors) = Read("""{"Host": "tcp://docker.example.com:2375"}""");
        refused.ShouldBeNull();
        errors.Single().Path.ShouldBe("$.P.Host");
        errors.Single().Message.ShouldContain("has no TLS");
        errors.Single().Message.ShouldContain("\"AllowPlainTcp\": true");

        var (allowed, none) = Read("""{"Host": "tcp://docker.example.com:2375", "AllowPlainTcp": true}""");
        none.ShouldBeEmpty();
        allowed!.ToString().ShouldBe("tcp://docker.example.com:2375");
    }

    [Fact]
    public void Tls_FromCertPathOrPemTexts_IsKeptWithTheAddress()
    {
        var (folder, e1) = Read("""{"Host": "tcp://docker.example.com:2376", "Tls": {"CertPath": "~/certs"}}""");
        e1.ShouldBeEmpty();
        folder!.Tls!.CertPath.ShouldBe("/home/ci/certs");

        var (texts, e2) = Read("""{"Host": "tcp://docker.example.com:2376", "Tls": {"Ca": "CA", "Cert": "CERT", "Key": "PRIVATE-TEXT"}}""");
        e2.ShouldBeEmpty();
        texts!.Tls!.Key.ShouldBe("PRIVATE-TEXT");
        texts.Tls.ToString().ShouldNotContain("PRIVATE-TEXT");
        texts.ToString().ShouldBe("tcp://docker.example.com:2376");
    }

    [Fact]
    public void Tls_FromDockerTlsVerify_UsesDockerCertPath()
    {
        var env = new Dictionary<string, string?>(NoEnvironment)
        {
            ["DOCKER_HOST"] = "tcp://docker.example.com:2376", ["DOCKER_TLS_VERIFY"] = "1", ["DOCKER_CERT_PATH"] = "/etc/docker-client",
        };

        var (address, errors) = Read("{}", env);

        errors.ShouldBeEmpty();
        address!.Tls!.CertPath.ShouldBe("/etc/docker-client");
    }

    [Fact]
    public void Tls_Problems_AreAllReportedAtTheirPaths()
    {
        var (_, partial) = Read("""{"Host": "tcp://docker.example.com:2376", "Tls": {"Ca": "x", "Cert": "y"}}""");
        partial.Select(e => (e.Code, e.Path)).ShouldBe([(Errors.Missing, "$.P.Tls")]);
        partial[0].Message.ShouldContain("Key is missing");

        var (_, both) = Read("""{"Host": "tcp://docker.example.com:2376", "Tls": {"CertPath": "/c", "Ca": "x"}}""");
        both.Select(e => (e.Code, e.Path)).ShouldBe([(Errors.Conflict, "$.P.Tls")]);

        var (_, sshOnTcp) = Read("""{"Host": "tcp://docker.example.com:2376", "Tls": {"CertPath": "/c"}, "Ssh": {}}""");
        sshOnTcp.Select(e => (e.Code, e.Path)).ShouldBe([(Errors.Conflict, "$.P.Ssh")]);

        var (_, onUnix) = Read("""{"Host": "unix:///var/run/docker.sock", "Tls": {"CertPath": "/c"}}""");
        onUnix.Select(e => (e.Code, e.Path)).ShouldBe([(Errors.Conflict, "$.P.Tls")]);
    }

    [Fact]
    public void Ssh_Address_NamesUserHostPortAndSocket()
    {
        var (address, errors) = Read("""{"Host": "ssh://deploy@web1.example.com:2222/run/user/1000/docker.sock", "Ssh": {"Key": "KEY", "HostKey": "SHA256:abc"}}""");

        errors.ShouldBeEmpty();
        var ssh = address!.Ssh!;
        (ssh.User, ssh.Host, ssh.Port, ssh.Socket).ShouldBe(("deploy", "web1.example.com", 2222, "/run/user/1000/docker.sock"));
        ssh.DialCommand.ShouldBe("docker -H 'unix:///run/user/1000/docker.sock' system dial-stdio");
        ssh.KnownHostsName.ShouldBe("[web1.example.com]:2222");
        (ssh.Key, ssh.HostKey, ssh.KnownHosts, ssh.IdentityFile).ShouldBe(("KEY", "SHA256:abc", null, null));
        ssh.ToString().ShouldNotContain("KEY");
    }

    [Fact]
    public void Ssh_WithoutSettings_UsesTheDefaultKeyAndKnownHosts()
    {
        var (address, errors) = Read("""{"Host": "ssh://web1"}""");

        errors.ShouldBeEmpty();
        var ssh = address!.Ssh!;
        (ssh.User, ssh.Port, ssh.Socket).ShouldBe(("ci", 22, null));
        ssh.DialCommand.ShouldBe("docker system dial-stdio");
        ssh.IdentityFile.ShouldBe("/home/ci/.ssh/id_ed25519");
        ssh.KnownHosts.ShouldBe("/home/ci/.ssh/known_hosts");
    }

    [Theory]
    [InlineData("""{"Host": "ssh://deploy@web1/var/run/docker.sock;rm -rf /"}""", "$.P.Host")]
    [InlineData("""{"Host": "ssh://deploy:password@web1"}""", "$.P.Host")]
    [InlineData("""{"Host": "ssh://web1", "Ssh": {"Key": "k", "IdentityFile": "~/.ssh/x"}}""", "$.P.Ssh")]
    [InlineData("""{"Host": "ssh://web1", "Ssh": {"KnownHosts": "known_hosts"}}""", "$.P.Ssh.KnownHosts")]
    [InlineData("""{"Host": "ssh://web1", "Ssh": {"HostKeys": "x"}}""", "$.P.Ssh.HostKeys")]
    [InlineData("""{"Host": "ftp://web1"}""", "$.P.Host")]
    [InlineData("""{"Host": "tcp://web1"}""", "$.P.Host")]
    public void BadAddresses_AreRefusedAtTheirPath(string json, string path)
    {
        var (address, errors) = Read(json);

        address.ShouldBeNull();
        errors.Select(e => e.Path).ShouldBe([path]);
    }

    [Fact]
    public void SameAddress_WithOtherCredentials_IsAnotherConnection()
    {
        var (a, _) = Read("""{"Host": "ssh://deploy@web1", "Ssh": {"Key": "one", "HostKey": "SHA256:x"}}""");
        var (b, _) = Read("""{"Host": "ssh://deploy@web1", "Ssh": {"Key": "two", "HostKey": "SHA256:x"}}""");
        var (c, _) = Read("""{"Host": "ssh://deploy@web1", "Ssh": {"Key": "one", "HostKey": "SHA256:x"}}""");

        a.ShouldNotBe(b);
        a.ShouldBe(c);
        a!.ToString().ShouldBe(b!.ToString());
    }
}
