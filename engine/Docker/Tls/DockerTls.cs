using System.Text.Json;
using Deploy.Engine.Diagnostics;
using Deploy.Engine.Spec;

namespace Deploy.Engine.Docker.Tls;

/// <summary>
/// Mutual TLS to a <c>tcp://</c> engine started with <c>--tlsverify</c>: the CA the engine's certificate must be signed
/// by, and the client certificate and key the engine checks. Either a folder holding <c>ca.pem</c>, <c>cert.pem</c> and
/// <c>key.pem</c> (the docker CLI's <c>DOCKER_CERT_PATH</c> layout), or the three PEM texts themselves, which may come
/// from secret vars. Nothing is read here: <see cref="TlsCredentials"/> loads them on the first call.
/// </summary>
public sealed record DockerTls(string? CertPath, string? Ca, string? Cert, string? Key)
{
    /// <summary>Where the material comes from, for messages: never the material itself.</summary>
    public override string ToString() => CertPath is null ? "the PEM texts of Tls.Ca, Tls.Cert and Tls.Key" : $"{CertPath} (ca.pem, cert.pem, key.pem)";

    private const string Example = "e.g. {\"CertPath\": \"/etc/deploy/docker-tls\"} or {\"Ca\": \"{{var.docker_ca}}\", \"Cert\": \"{{var.docker_cert}}\", \"Key\": \"{{var.docker_key}}\"}";

    /// <summary>TLS as <c>DOCKER_TLS_VERIFY</c> (any non-empty value) and <c>DOCKER_CERT_PATH</c> (default <c>~/.docker</c>) say; null when not asked for.</summary>
    public static DockerTls? FromEnvironment(Func<string, string?> environment) =>
        string.IsNullOrEmpty(environment("DOCKER_TLS_VERIFY")) ? null : new(DefaultCertPath(environment), null, null, null);

    /// <summary>The <c>Tls</c> object of a plugin's properties; an empty object means <c>DOCKER_CERT_PATH</c>, else <c>~/.docker</c>.</summary>
    public static DockerTls? Read(JsonElement tls, string path, DiagnosticBag bag, Func<string, string?> environment)
    {
        if (!JsonReading.Object(tls, path, bag, Example))
        {
            return null;
        }

        var before = bag.Items.Count;
        JsonReading.KnownFields(tls, path, bag, "CertPath", "Ca", "Cert", "Key");
        var certPath = JsonReading.String(tls, path, "CertPath", bag, required: false, "give a folder holding ca.pem, cert.pem and key.pem");
        var ca = JsonReading.String(tls, path, "Ca", bag, required: false, "give the CA certificate's PEM text, e.g. \"{{var.docker_ca}}\"");
        var cert = JsonReading.String(tls, path, "Cert", bag, required: false, "give the client certificate's PEM text, e.g. \"{{var.docker_cert}}\"");
        var key = JsonReading.String(tls, path, "Key", bag, required: false, "give the client key's PEM text, e.g. \"{{var.docker_key}}\"");
        var texts = new[] { ca, cert, key }.Count(t => t is not null);
        if (certPath is not null && texts > 0)
        {
            bag.Add(Errors.Conflict, path, $"give either CertPath or Ca, Cert and Key, not both; {Example}");
        }
        else if (texts is 1 or 2)
        {
            var missing = string.Join(", ", new[] { ("Ca", ca), ("Cert", cert), ("Key", key) }.Where(t => t.Item2 is null).Select(t => t.Item1));
            bag.Add(Errors.Missing, path, $"Ca, Cert and Key go together and {missing} is missing; {Example}");
        }
        else if (certPath is not null && !System.IO.Path.IsPathRooted(UserPaths.ExpandHome(certPath, environment)))
        {
            bag.Add(Errors.InvalidValue, JsonReading.ChildPath(tls, path, "CertPath"), $"must be an absolute folder (or start with ~/), was \"{certPath}\"");
        }

        if (bag.Items.Count > before)
        {
            return null;
        }

        return texts == 3 ? new(null, ca, cert, key) : new(UserPaths.ExpandHome(certPath, environment) ?? DefaultCertPath(environment), null, null, null);
    }

    private static string DefaultCertPath(Func<string, string?> environment) =>
        environment("DOCKER_CERT_PATH") is { Length: > 0 } folder ? folder : System.IO.Path.Combine(UserPaths.Home(environment), ".docker");

}
