using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Deploy.Tests.Fixtures;
using Deploy.Tests.Support;

namespace Deploy.Tests.Infra;

/// <summary>
/// The remote Docker hosts tests/infra/remote.sh starts, checked for real with the docker CLI, ssh and HTTP: the TLS
/// engine accepts only the client certificate its CA signed, the remote host's sshd carries the Docker API through
/// <c>docker system dial-stdio</c> under a strict host key check, and the registries on the veth address serve the test
/// registry's storage, one of them only with the password.
/// </summary>
public sealed class RemoteHostsTests : IDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(2);
    private readonly CancellationTokenSource _timeout = new(Limit);
    private readonly TempDir _cli = new(); // the docker CLI's config folder: no user contexts, proxies or credentials
    private readonly HttpClient _http = new(new HttpClientHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(10) };

    public void Dispose()
    {
        _http.Dispose();
        _cli.Dispose();
        _timeout.Dispose();
    }

    [Fact]
    public async Task TlsEngine_RightClientCertificate_AnswersApi141AsTheEngineBehindItsSocket()
    {
        var certs = RemoteDockerHosts.TlsCerts;

        var tls = await DockerAsync("--tlsverify", "-H", RemoteDockerHosts.TlsHost, "--tlscacert", Path.Combine(certs, "ca.pem"),
            "--tlscert", Path.Combine(certs, "cert.pem"), "--tlskey", Path.Combine(certs, "key.pem"),
            "info", "--format", "{{.ID}}");
        var socket = await DockerAsync("-H", RemoteDockerHosts.TlsSocket, "info", "--format", "{{.ID}}");
        var version = await DockerAsync("--tlsverify", "-H", RemoteDockerHosts.TlsHost, "--tlscacert", Path.Combine(certs, "ca.pem"),
            "--tlscert", Path.Combine(certs, "cert.pem"), "--tlskey", Path.Combine(certs, "key.pem"),
            "version", "--format", "{{.Server.APIVersion}}");

        RemoteDockerHosts.TlsHost.ShouldStartWith("tcp://127.0.0.1:");
        tls.Exit.ShouldBe(0, tls.Stderr);
        socket.Exit.ShouldBe(0, socket.Stderr);
        tls.Stdout.Trim().ShouldBe(socket.Stdout.Trim());
        version.Stdout.Trim().ShouldBe("1.41");
        File.ReadAllText(Path.Combine(certs, "key.pem")).ShouldContain("PRIVATE KEY");
        (File.GetUnixFileMode(Path.Combine(certs, "key.pem")) & (UnixFileMode.GroupRead | UnixFileMode.OtherRead)).ShouldBe(UnixFileMode.None);
    }

    [Fact]
    public async Task TlsEngine_ClientCertificateOfAnotherCa_IsRefused()
    {
        var wrong = RemoteDockerHosts.TlsWrongCerts;

        var result = await DockerAsync("--tlsverify", "-H", RemoteDockerHosts.TlsHost, "--tlscacert", Path.Combine(wrong, "ca.pem"),
            "--tlscert", Path.Combine(wrong, "cert.pem"), "--tlskey", Path.Combine(wrong, "key.pem"),
            "version", "--format", "{{.Server.APIVersion}}");

        result.Exit.ShouldNotBe(0);
        result.Stdout.ShouldNotContain("1.41");
        result.Stderr.ShouldContain("bad certificate");
        File.ReadAllText(Path.Combine(wrong, "ca.pem")).ShouldBe(File.ReadAllText(Path.Combine(RemoteDockerHosts.TlsCerts, "ca.pem")));
    }

    [Fact]
    public async Task TlsEngine_PlainHttp_IsRefused()
    {
        var result = await DockerAsync("-H", RemoteDockerHosts.TlsHost, "version", "--format", "{{.Server.APIVersion}}");

        result.Exit.ShouldNotBe(0);
        result.Stderr.ShouldContain("HTTP request to an HTTPS server");
    }

    [Fact]
    public async Task SshHost_DialStdioWithTheKnownHostKey_AnswersPing()
    {
        var result = await RunAsync("ssh", Encoding.ASCII.GetBytes("GET /_ping HTTP/1.1\r\nHost: docker\r\nConnection: close\r\n\r\n"),
            SshArgs(RemoteDockerHosts.SshKnownHosts, "docker", "-H", "unix://" + RemoteDockerHosts.RemoteSocketPath, "system", "dial-stdio"));

        result.Stdout.ShouldMatch(@"^HTTP/1\.[01] 200 OK\r\n", result.Stderr);
        result.Stdout.ShouldContain("Api-Version: 1.41");
        result.Stdout.ShouldEndWith("OK");
        RemoteDockerHosts.SshHost.ShouldBe($"ssh://root@{RemoteDockerHosts.RemoteAddress}:2222{RemoteDockerHosts.RemoteSocketPath}");
    }

    [Fact]
    public async Task SshHost_OtherKnownHostsFile_FailsTheHostKeyCheck()
    {
        var result = await RunAsync("ssh", null, SshArgs(RemoteDockerHosts.SshOtherKnownHosts, "true"));

        result.Exit.ShouldBe(255);
        result.Stderr.ShouldContain("Host key verification failed");
    }

    [Fact]
    public async Task SshHost_Fingerprint_IsTheKeyInKnownHostsAndTheRemoteEngineRunsThere()
    {
        var line = File.ReadAllLines(RemoteDockerHosts.SshKnownHosts).Single();
        var fields = line.Split(' ');
        var fingerprint = "SHA256:" + Convert.ToBase64String(SHA256.HashData(Convert.FromBase64String(fields[2]))).TrimEnd('=');

        var name = await RunAsync("ssh", null, SshArgs(RemoteDockerHosts.SshKnownHosts,
            "docker", "-H", "unix://" + RemoteDockerHosts.RemoteSocketPath, "info", "--format", "{{.Name}}"));
        var direct = await DockerAsync("-H", RemoteDockerHosts.RemoteSocket, "info", "--format", "{{.Name}}");

        fields[0].ShouldBe($"[{RemoteDockerHosts.RemoteAddress}]:2222");
        fields[1].ShouldBe("ssh-ed25519");
        RemoteDockerHosts.SshFingerprint.ShouldBe(fingerprint);
        File.ReadAllLines(RemoteDockerHosts.SshOtherKnownHosts).Single().Split(' ')[0].ShouldBe(fields[0]);
        File.ReadAllLines(RemoteDockerHosts.SshOtherKnownHosts).Single().ShouldNotBe(line);
        name.Exit.ShouldBe(0, name.Stderr);
        name.Stdout.Trim().ShouldBe(direct.Stdout.Trim());
        name.Stdout.Trim().ShouldStartWith("deploy-rh-"); // the namespace's own hostname, not the machine's
    }

    [Fact]
    public async Task AuthRegistry_V2_401WithoutOrWithAWrongPassword_200WithIt()
    {
        var url = $"http://{RemoteDockerHosts.AuthRegistry}/v2/";

        using var anonymous = await _http.GetAsync(url, _timeout.Token);
        using var wrong = await SendAsync(url, RemoteDockerHosts.AuthRegistryUser, "not-the-password");
        using var right = await SendAsync(url, RemoteDockerHosts.AuthRegistryUser, RemoteDockerHosts.AuthRegistryPassword);

        anonymous.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        anonymous.Headers.WwwAuthenticate.ToString().ShouldStartWith("Basic");
        wrong.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        right.StatusCode.ShouldBe(HttpStatusCode.OK);
        RemoteDockerHosts.AuthRegistryUser.ShouldBe("deploy-ci");
    }

    [Fact]
    public async Task RemoteRegistries_ServeTheTestRegistrysStorage_SameManifestDigest()
    {
        var path = "/v2/dotnet/aspnet/manifests/10.0";

        using var open = await _http.GetAsync($"http://{RemoteDockerHosts.RemoteRegistry}/v2/", _timeout.Token);
        var local = await DigestAsync($"http://{DockerTestEngine.Registry}{path}", null, null);
        var remote = await DigestAsync($"http://{RemoteDockerHosts.RemoteRegistry}{path}", null, null);
        var auth = await DigestAsync($"http://{RemoteDockerHosts.AuthRegistry}{path}", RemoteDockerHosts.AuthRegistryUser, RemoteDockerHosts.AuthRegistryPassword);

        open.StatusCode.ShouldBe(HttpStatusCode.OK);
        RemoteDockerHosts.RemoteRegistry.ShouldStartWith(RemoteDockerHosts.RemoteAddress[..RemoteDockerHosts.RemoteAddress.LastIndexOf('.')] + ".1:");
        local.ShouldStartWith("sha256:");
        remote.ShouldBe(local);
        auth.ShouldBe(local);
    }

    [Fact]
    public async Task Engines_HoldTheProxyImagesOfTheDockerEngine_UnderTheSameNamesAndIds()
    {
        var expected = await DockerAsync("-H", DockerTestEngine.Host, "image", "inspect", "--format", "{{.ID}}", DockerTestEngine.Nginx, DockerTestEngine.Busybox);

        var tls = await DockerAsync("-H", RemoteDockerHosts.TlsSocket, "image", "inspect", "--format", "{{.ID}}", DockerTestEngine.Nginx, DockerTestEngine.Busybox);
        var remote = await DockerAsync("-H", RemoteDockerHosts.RemoteSocket, "image", "inspect", "--format", "{{.ID}}", DockerTestEngine.Nginx, DockerTestEngine.Busybox);

        expected.Exit.ShouldBe(0, expected.Stderr);
        tls.Exit.ShouldBe(0, tls.Stderr);
        remote.Exit.ShouldBe(0, remote.Stderr);
        tls.Stdout.ShouldBe(expected.Stdout);
        remote.Stdout.ShouldBe(expected.Stdout);
    }

    [Fact]
    public async Task RemoteEngine_HostNetworkContainer_ServesOnTheRemoteAddress()
    {
        var port = Random.Shared.Next(20000, 32000);
        var name = "remote-hosts-test-" + Guid.NewGuid().ToString("N")[..8];
        var run = await DockerAsync("-H", RemoteDockerHosts.RemoteSocket, "run", "-d", "--name", name, "--network", "host",
            DockerTestEngine.Busybox, "httpd", "-f", "-p", port.ToString(), "-h", "/bin");
        try
        {
            run.Exit.ShouldBe(0, run.Stderr);
            HttpStatusCode? status = null;
            var clock = Stopwatch.StartNew();
            while (status != HttpStatusCode.OK && clock.Elapsed < TimeSpan.FromSeconds(20))
            {
                try
                {
                    using var response = await _http.GetAsync($"http://{RemoteDockerHosts.RemoteAddress}:{port}/busybox", _timeout.Token);
                    status = response.StatusCode;
                }
                catch (HttpRequestException)
                {
                    await Task.Delay(100, _timeout.Token);
                }
            }

            status.ShouldBe(HttpStatusCode.OK);
        }
        finally
        {
            await DockerAsync("-H", RemoteDockerHosts.RemoteSocket, "rm", "-f", name);
        }
    }

    private static string[] SshArgs(string knownHosts, params string[] command) =>
    [
        "-F", "/dev/null", "-i", RemoteDockerHosts.SshKey, "-p", RemoteDockerHosts.SshPort.ToString(),
        "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes", "-o", "StrictHostKeyChecking=yes",
        "-o", "UserKnownHostsFile=" + knownHosts, "-o", "GlobalKnownHostsFile=/dev/null", "-o", "ConnectTimeout=10",
        $"{RemoteDockerHosts.SshUser}@{RemoteDockerHosts.RemoteAddress}",
        .. command,
    ];

    private async Task<HttpResponseMessage> SendAsync(string url, string user, string password)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
        return await _http.SendAsync(request, _timeout.Token);
    }

    /// <summary>The Docker-Content-Digest of a manifest (HEAD, schema 2 accepted).</summary>
    private async Task<string> DigestAsync(string url, string? user, string? password)
    {
        using var request = new HttpRequestMessage(HttpMethod.Head, url);
        request.Headers.Accept.ParseAdd("application/vnd.docker.distribution.manifest.v2+json");
        request.Headers.Accept.ParseAdd("application/vnd.oci.image.manifest.v1+json");
        if (user is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
        }

        using var response = await _http.SendAsync(request, _timeout.Token);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, url);
        return response.Headers.GetValues("Docker-Content-Digest").Single();
    }

    private Task<(int Exit, string Stdout, string Stderr)> DockerAsync(params string[] args) => RunAsync("docker", null, args);

    /// <summary>Runs a program (argv, no shell) with a private docker CLI config, writing <paramref name="stdin"/> when given.</summary>
    private async Task<(int Exit, string Stdout, string Stderr)> RunAsync(string program, byte[]? stdin, params string[] args)
    {
        var info = new ProcessStartInfo(program)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["DOCKER_CONFIG"] = _cli.Path;
        foreach (var name in new[] { "DOCKER_HOST", "DOCKER_CONTEXT", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH" })
        {
            info.Environment.Remove(name);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"{program} did not start");
        var stdout = process.StandardOutput.ReadToEndAsync(_timeout.Token);
        var stderr = process.StandardError.ReadToEndAsync(_timeout.Token);
        if (stdin is not null)
        {
            // Written, but kept open until the answer is read: dial-stdio ends when the engine closes the connection.
            await process.StandardInput.BaseStream.WriteAsync(stdin, _timeout.Token);
            await process.StandardInput.BaseStream.FlushAsync(_timeout.Token);
        }
        else
        {
            process.StandardInput.Close();
        }

        try
        {
            await process.WaitForExitAsync(_timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await stdout, await stderr);
    }
}
