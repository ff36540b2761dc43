using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using Deploy.Engine.Docker;
using Deploy.Tests.Support;

namespace Deploy.Tests.Fixtures;

/// <summary>
/// The remote Docker hosts of a test run, started by <c>tests/infra/remote.sh</c> beside the <see cref="DockerTestEngine"/>:
/// a Docker engine reached over mutual TLS on 127.0.0.1, a "remote host" (a network namespace with its own dockerd and an
/// sshd), and two registries that host pulls from, one with htpasswd basic auth. test.sh starts them once per run and
/// exports the variables below. Without them (a test run from an IDE or a plain <c>dotnet test</c>), the first use starts
/// them for this test process (after the Docker engine) and stops them when the process exits.
/// </summary>
/// <remarks>
/// Both engines hold <see cref="DockerTestEngine.Nginx"/> (also tagged local/haproxy:1 and nginx:1.27) and
/// <see cref="DockerTestEngine.Busybox"/>, copied from the Docker engine under the same names. Both registries serve the
/// storage of <see cref="DockerTestEngine.Registry"/>: whatever is pushed there can be pulled from
/// <see cref="RemoteRegistry"/> and <see cref="AuthRegistry"/> by the same repository and digest. The remote host cannot
/// reach 127.0.0.1 on the host (its loopback is its own), so it pulls from those two; both engines treat them as insecure
/// (plain HTTP) registries. Containers with <c>--network host</c> on the remote engine serve on
/// <see cref="RemoteAddress"/> when they listen on all interfaces (an app bound to 127.0.0.1 is reachable only inside the
/// namespace).
/// </remarks>
public static class RemoteDockerHosts
{
    /// <summary>The remote host's sshd port.</summary>
    public const int SshPort = 2222;

    /// <summary>The user the sshd accepts <see cref="SshKey"/> for.</summary>
    public const string SshUser = "root";

    private static readonly Lazy<bool> Started = new(StartUnlessGiven, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The TLS engine, <c>tcp://127.0.0.1:PORT</c>; it refuses clients without a certificate signed by its CA.</summary>
    public static string TlsHost => Required("DEPLOY_TEST_TLS_HOST");

    /// <summary>A folder with <c>ca.pem</c>, <c>cert.pem</c> and <c>key.pem</c> the TLS engine accepts (DOCKER_CERT_PATH layout).</summary>
    public static string TlsCerts => Required("DEPLOY_TEST_TLS_CERTS");

    /// <summary>The same layout with the right <c>ca.pem</c> but a client certificate signed by another CA (refused).</summary>
    public static string TlsWrongCerts => Required("DEPLOY_TEST_TLS_WRONG_CERTS");

    /// <summary>The TLS engine's unix socket (no TLS), for test assertions: unix:///.../tls/docker.sock.</summary>
    public static string TlsSocket => Required("DEPLOY_TEST_TLS_SOCKET");

    /// <summary>The TLS engine through its unix socket, typed.</summary>
    public static DockerHostAddress TlsSocketAddress => new("unix", TlsSocket["unix://".Length..]);

    /// <summary>The remote engine over SSH: <c>ssh://root@10.200.N.2:2222/ABSOLUTE/PATH/docker.sock</c>.</summary>
    public static string SshHost => Required("DEPLOY_TEST_SSH_HOST");

    /// <summary>The private key (ed25519, no passphrase) the sshd accepts for <see cref="SshUser"/>.</summary>
    public static string SshKey => Required("DEPLOY_TEST_SSH_KEY");

    /// <summary>A known_hosts file with the sshd's host key for <c>[RemoteAddress]:2222</c>.</summary>
    public static string SshKnownHosts => Required("DEPLOY_TEST_SSH_KNOWN_HOSTS");

    /// <summary>A known_hosts file that lists <c>[RemoteAddress]:2222</c> with another key (a changed host key).</summary>
    public static string SshOtherKnownHosts => Required("DEPLOY_TEST_SSH_OTHER_KNOWN_HOSTS");

    /// <summary>The sshd's host key fingerprint as OpenSSH prints it, <c>SHA256:...</c> (base64 without padding).</summary>
    public static string SshFingerprint => Required("DEPLOY_TEST_SSH_FINGERPRINT");

    /// <summary>The remote engine's unix socket as the host sees it (the namespace shares the filesystem), for test assertions.</summary>
    public static string RemoteSocket => Required("DEPLOY_TEST_REMOTE_SOCKET");

    /// <summary>The remote engine through its unix socket, typed (for assertions; the code under test goes through SSH).</summary>
    public static DockerHostAddress RemoteSocketAddress => new("unix", RemoteSocketPath);

    /// <summary>The remote engine's socket path, as <c>docker -H unix://PATH system dial-stdio</c> on the remote host names it.</summary>
    public static string RemoteSocketPath => RemoteSocket["unix://".Length..];

    /// <summary>The remote host's address, 10.200.N.2: its sshd, and its <c>--network host</c> containers.</summary>
    public static string RemoteAddress => Required("DEPLOY_TEST_REMOTE_ADDRESS");

    /// <summary>An open registry (plain HTTP) on the host's end of the veth pair, 10.200.N.1:PORT, serving the test registry's storage.</summary>
    public static string RemoteRegistry => Required("DEPLOY_TEST_REMOTE_REGISTRY");

    /// <summary>The same storage behind htpasswd basic auth (plain HTTP), 10.200.N.1:PORT.</summary>
    public static string AuthRegistry => Required("DEPLOY_TEST_AUTH_REGISTRY");

    /// <summary>The user <see cref="AuthRegistry"/> accepts.</summary>
    public static string AuthRegistryUser => Required("DEPLOY_TEST_AUTH_REGISTRY_USER");

    /// <summary>The password of <see cref="AuthRegistryUser"/> (random per run).</summary>
    public static string AuthRegistryPassword => Required("DEPLOY_TEST_AUTH_REGISTRY_PASSWORD");

    /// <summary>The temp folder of all of this (engines' roots, certificates, keys, logs/), removed when they stop.</summary>
    public static string Directory => Required("DEPLOY_TEST_REMOTE_DIR");

    private static string Script => Path.Combine(Repo.Root, "tests", "infra", "remote.sh");

    private static string Required(string name)
    {
        _ = Started.Value;
        return Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value
            : throw new InvalidOperationException($"{name} is not set: run the tests with ./test.sh, or start the remote hosts with 'eval \"$(tests/infra/remote.sh start --docker-dir \"$DEPLOY_TEST_DOCKER_DIR\")\"'");
    }

    /// <summary>Starts the remote hosts for this process unless the caller (test.sh) already exported them.</summary>
    private static bool StartUnlessGiven()
    {
        if (Environment.GetEnvironmentVariable("DEPLOY_TEST_SSH_HOST") is { Length: > 0 })
        {
            return false;
        }

        // The Docker engine first (started here too when not given): its registry storage and images are shared.
        var dockerDirectory = DockerTestEngine.Directory;

        // --watch-pid: the script stops everything by itself if this process dies before ProcessExit runs (a killed testhost).
        InfraScript.StartAndExport(TimeSpan.FromMinutes(5), Script, ["start", "--docker-dir", dockerDirectory, "--watch-pid", Environment.ProcessId.ToString()],
            "DEPLOY_TEST_REMOTE_DIR", "DEPLOY_TEST_SSH_HOST", "DEPLOY_TEST_TLS_HOST");
        return true;
    }
}
