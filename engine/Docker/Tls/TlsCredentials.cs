using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Deploy.Engine.Diagnostics;
using Docker.DotNet.X509;

namespace Deploy.Engine.Docker.Tls;

/// <summary>
/// The client side of mutual TLS with a Docker engine, as the docker CLI does it: the client certificate is offered, and
/// the engine's certificate must chain to the given CA (and no other) and name the host that was dialled.
/// </summary>
internal sealed class TlsCredentials
{
    private readonly X509Certificate2 _ca;
    private readonly string _source;

    private TlsCredentials(X509Certificate2 ca, X509Certificate2 client, string source)
    {
        _ca = ca;
        _source = source;
        Credentials = new CertificateCredentials(client) { ServerCertificateValidationCallback = Validate };
    }

    /// <summary>What the Docker client is built with.</summary>
    public CertificateCredentials Credentials { get; }

    /// <summary>Why the engine's certificate was refused, for the error sentence; null when it was not.</summary>
    public string? Refusal { get; private set; }

    /// <summary>Loads <paramref name="tls"/>; a missing file or a text that is not PEM throws (exit 1) naming which.</summary>
    public static TlsCredentials Load(DockerTls tls)
    {
        var (ca, cert, key) = tls.CertPath is { } folder
            ? (Read(folder, "ca.pem"), Read(folder, "cert.pem"), Read(folder, "key.pem"))
            : (tls.Ca!, tls.Cert!, tls.Key!);
        if (tls.CertPath is null && new[] { ca, cert, key }.Any(string.IsNullOrWhiteSpace))
        {
            var empty = new[] { ("Ca", ca), ("Cert", cert), ("Key", key) }.Where(t => string.IsNullOrWhiteSpace(t.Item2)).Select(t => "Tls." + t.Item1);
            throw new DeployException(Errors.PluginFailed,
                $"{string.Join(", ", empty)} is empty: pass the value of the secret that holds it (--var NAME=... or DEPLOY_VAR_NAME)");
        }

        var caCert = Parse(() => X509Certificate2.CreateFromPem(ca), tls, "the CA certificate (ca.pem, Tls.Ca)");
        var client = Parse(() => X509Certificate2.CreateFromPem(cert, key), tls, "the client certificate and key (cert.pem and key.pem, Tls.Cert and Tls.Key)");
        return new TlsCredentials(caCert, client, tls.ToString());
    }

    private bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (certificate is null)
        {
            Refusal = "the engine sent no certificate";
            return false;
        }

        using var server = new X509Certificate2(certificate);
        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
        {
            Refusal = $"the engine's certificate ({server.Subject}) does not name the host that was dialled; connect by a name or IP in its subjectAltName, or reissue it with that name";
            return false;
        }

        using var own = new X509Chain();
        own.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        own.ChainPolicy.CustomTrustStore.Add(_ca);
        own.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (!own.Build(server))
        {
            Refusal = $"the engine's certificate ({server.Subject}, issued by {server.Issuer}) is not signed by the CA in {_source}; give the CA that signed the engine's --tlscert";
            return false;
        }

        return true;
    }

    private static string Read(string folder, string file)
    {
        var path = Path.Combine(folder, file);
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DeployException(Errors.PluginFailed,
                $"cannot read {path} for TLS to the Docker engine: {e.Message}; put ca.pem, cert.pem and key.pem there (docker's DOCKER_CERT_PATH layout), or give Tls.CertPath");
        }
    }

    private static X509Certificate2 Parse(Func<X509Certificate2> parse, DockerTls tls, string what)
    {
        try
        {
            return parse();
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            // The text may be a secret: the message names what was wrong, never the value.
            throw new DeployException(Errors.PluginFailed, $"{what} from {tls} is not usable PEM ({e.GetType().Name}); give -----BEGIN CERTIFICATE----- and -----BEGIN ... PRIVATE KEY----- texts as 'openssl' writes them");
        }
    }
}
