using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace Deploy.Engine.Plugins.Instance;

/// <summary>
/// Where an instance answers on the network: scheme, host and port. Typed so that checks, proxies and capability
/// validation share one model; written as <c>host:port</c> in outputs and proxy configurations.
/// </summary>
[JsonConverter(typeof(EndpointJsonConverter))]
public sealed partial record Endpoint
{
    /// <summary>An endpoint; throws <see cref="ArgumentException"/> for a scheme, host or port a proxy line cannot hold.</summary>
    public Endpoint(string scheme, string host, int port)
    {
        if (scheme is not ("http" or "https"))
        {
            throw new ArgumentException($"scheme \"{scheme}\" is not http or https", nameof(scheme));
        }

        if (!HostPattern().IsMatch(host))
        {
            throw new ArgumentException($"host \"{host}\" is not a host name or IP address", nameof(host));
        }

        if (port is < 1 or > 65535)
        {
            throw new ArgumentException($"port {port} is not between 1 and 65535", nameof(port));
        }

        Scheme = scheme;
        Host = host;
        Port = port;
    }

    /// <summary><c>http</c> or <c>https</c>.</summary>
    public string Scheme { get; }

    /// <summary>A DNS name or an IP address (IPv6 without brackets).</summary>
    public string Host { get; }

    /// <summary>1 to 65535.</summary>
    public int Port { get; }

    /// <summary><c>host:port</c>, with IPv6 hosts in brackets: what proxies and outputs show.</summary>
    public string Authority => Host.Contains(':') ? $"[{Host}]:{Port}" : $"{Host}:{Port.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>The URL of <paramref name="path"/> on this endpoint.</summary>
    public string Url(string path) => $"{Scheme}://{Authority}{(path.StartsWith('/') ? path : "/" + path)}";

    /// <summary>Reads <c>host:port</c> or <c>http(s)://host:port[/]</c>; null when the text is not such an address.</summary>
    public static Endpoint? TryParse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var match = Address().Match(text.Trim());
        if (!match.Success || !int.TryParse(match.Groups["port"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            return null;
        }

        var scheme = match.Groups["scheme"].Success ? match.Groups["scheme"].Value.ToLowerInvariant() : "http";
        var host = match.Groups["v6"].Success ? match.Groups["v6"].Value : match.Groups["host"].Value;
        return new Endpoint(scheme, host, port);
    }

    /// <inheritdoc />
    public override string ToString() => Authority;

    [GeneratedRegex(@"^(?:(?<scheme>https?)://)?(?:\[(?<v6>[0-9A-Fa-f:.]+)\]|(?<host>[A-Za-z0-9_.-]+)):(?<port>[0-9]{1,5})/?$", RegexOptions.IgnoreCase)]
    private static partial Regex Address();

    [GeneratedRegex(@"^([A-Za-z0-9_.-]+|[0-9A-Fa-f:.]+)$")]
    private static partial Regex HostPattern();
}

/// <summary>Writes an endpoint as its <c>host:port</c> text and reads it back.</summary>
public sealed class EndpointJsonConverter : JsonConverter<Endpoint>
{
    public override Endpoint? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.Null ? null : Endpoint.TryParse(reader.GetString()) ?? throw new JsonException("not host:port");

    public override void Write(Utf8JsonWriter writer, Endpoint value, JsonSerializerOptions options) => writer.WriteStringValue(value.Authority);
}
