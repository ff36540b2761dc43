using System.Net.Sockets;
using System.Text;
using Deploy.Engine.Diagnostics;
using Renci.SshNet;
using Renci.SshNet.Common;

namespace Deploy.Engine.Docker.Ssh;

/// <summary>
/// The SSH connections to one remote host, each carrying up to <see cref="ChannelsPerSession"/> engine connections as
/// exec channels (OpenSSH allows 10 by default: MaxSessions). A new connection is made when every open one is full or
/// has dropped. The host key is checked on every connection; an unknown or changed key is refused.
/// </summary>
internal sealed class SshSessions(SshTarget target, string address) : IDisposable
{
    /// <summary>Engine connections per SSH connection, below OpenSSH's default MaxSessions of 10.</summary>
    public const int ChannelsPerSession = 8;

    /// <summary>The address the Docker client is given: never dialled, every connection is an exec channel.</summary>
    public static readonly Uri Endpoint = new("http://docker.ssh");

    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(15);
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly List<Session> _sessions = [];

    /// <summary>Opens one duplex stream to the engine: <c>docker system dial-stdio</c> in a new exec channel.</summary>
    public async Task<Stream> DialAsync(CancellationToken cancellationToken)
    {
        var session = await AcquireAsync(cancellationToken);
        SshCommand? command = null;
        try
        {
            command = session.Client.CreateCommand(target.DialCommand);
            var running = command.ExecuteAsync(CancellationToken.None);
            _ = running.ContinueWith(t => _ = t.Exception, TaskContinuationOptions.OnlyOnFaulted);
            var input = command.CreateInputStream();
            return new SshChannelStream(command, running, input, target, () => Release(session));
        }
        catch (Exception e) when (e is SshException or InvalidOperationException or ObjectDisposedException)
        {
            command?.Dispose();
            Release(session);
            throw new IOException($"cannot open a channel to {target} for '{target.DialCommand}': {e.Message}", e);
        }
    }

    private async Task<Session> AcquireAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            foreach (var dropped in _sessions.Where(s => !s.Client.IsConnected && s.Channels == 0).ToList())
            {
                dropped.Client.Dispose();
                _sessions.Remove(dropped);
            }

            var session = _sessions.FirstOrDefault(s => s.Client.IsConnected && s.Channels < ChannelsPerSession);
            if (session is null)
            {
                session = new Session(await ConnectAsync(cancellationToken));
                _sessions.Add(session);
            }

            Interlocked.Increment(ref session.Channels);
            return session;
        }
        finally
        {
            _gate.Release();
        }
    }

    private static void Release(Session session) => Interlocked.Decrement(ref session.Channels);

    private async Task<SshClient> ConnectAsync(CancellationToken cancellationToken)
    {
        var key = LoadKey();
        var info = new ConnectionInfo(target.Host, target.Port, target.User, new PrivateKeyAuthenticationMethod(target.User, key)) { Timeout = ConnectTimeout };
        var client = new SshClient(info) { KeepAliveInterval = TimeSpan.FromSeconds(15) };
        string? refusal = null;
        client.HostKeyReceived += (_, e) =>
        {
            refusal = HostKeyCheck.Refusal(target, e.HostKeyName, e.HostKey);
            e.CanTrust = refusal is null;
        };

        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(ConnectTimeout);
            await client.ConnectAsync(timeout.Token);
            return client;
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            client.Dispose();
            throw new DeployException(Errors.PluginFailed, $"cannot reach the Docker engine at {address}: {Why(e, refusal)}");
        }
    }

    private string Why(Exception e, string? refusal) => e switch
    {
        _ when refusal is not null => refusal,
        SshAuthenticationException => $"permission denied: {target.User}@{target.Host} did not accept the key from {KeySource}; add its public key (ssh-keygen -y -f KEY) to ~{target.User}/.ssh/authorized_keys there, or give the right key in Ssh.Key or Ssh.IdentityFile",
        SocketException s => $"{target.Host}:{target.Port} cannot be reached ({s.SocketErrorCode}); check the address, the port of its sshd and that this runner may connect to it",
        OperationCanceledException or SshOperationTimeoutException => $"{target.Host}:{target.Port} did not answer within {ConnectTimeout.TotalSeconds:0} s; check the address and any firewall between",
        _ => $"{e.Message}; check the host, its sshd and Ssh settings",
    };

    private string KeySource => target.Key is not null ? "Ssh.Key" : target.IdentityFile!;

    private PrivateKeyFile LoadKey()
    {
        try
        {
            if (target.Key is { } text)
            {
                if (string.IsNullOrWhiteSpace(text))
                {
                    throw new DeployException(Errors.PluginFailed, $"Ssh.Key for {target} is empty: pass the secret that holds the private key (--var or DEPLOY_VAR_<name>)");
                }

                // Keys pasted into CI secrets often carry CRLF line ends or surrounding blanks.
                var normal = text.Replace("\r\n", "\n", StringComparison.Ordinal).Trim() + "\n";
                return new PrivateKeyFile(new MemoryStream(Encoding.UTF8.GetBytes(normal)), target.Passphrase);
            }

            return new PrivateKeyFile(target.IdentityFile!, target.Passphrase);
        }
        catch (SshPassPhraseNullOrEmptyException)
        {
            throw new DeployException(Errors.PluginFailed, $"the SSH key from {KeySource} is encrypted; give its passphrase in Ssh.Passphrase (a secret var)");
        }
        catch (Exception e) when (e is SshException or IOException or UnauthorizedAccessException or ArgumentException or FormatException
                                      or System.Security.Cryptography.CryptographicException)
        {
            // Never the key's text: only where it came from and what kind of problem it has.
            var what = e is FileNotFoundException or DirectoryNotFoundException ? "there is no such file" : e is SshException ? e.Message : e.GetType().Name;
            throw new DeployException(Errors.PluginFailed,
                $"cannot use the SSH key from {KeySource} for {target}: {what}; give an OpenSSH or PEM private key (ssh-keygen -t ed25519) in Ssh.Key or Ssh.IdentityFile");
        }
    }

    public void Dispose()
    {
        foreach (var session in _sessions)
        {
            session.Client.Dispose();
        }

        _sessions.Clear();
    }

    private sealed class Session(SshClient client)
    {
        public readonly SshClient Client = client;
        public int Channels;
    }
}
