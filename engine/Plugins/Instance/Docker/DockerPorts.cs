using System.Globalization;
using System.Net;
using System.Text.Json;
using Deploy.Engine.Diagnostics;
using Deploy.Engine.Spec;

namespace Deploy.Engine.Plugins.Instance.Docker;

/// <summary>
/// The <c>Ports</c> property: each instance takes one free host port from <see cref="HostFrom"/>..<see cref="HostTo"/>.
/// On a bridge or user network the container's <see cref="Container"/> port is published there on <see cref="HostIp"/>;
/// on the host network the app itself listens on the host port (<c>{{port}}</c>).
/// </summary>
public sealed record DockerPorts
{
    /// <summary>The address ports are published on, and the endpoint's host, unless <c>HostIp</c> says otherwise.</summary>
    public const string DefaultHostIp = "127.0.0.1";

    /// <summary>Required on a bridge or user network, refused on the host network. The port the app listens on inside the container.</summary>
    public int? Container { get; init; }

    /// <summary>Required. The lowest host port an instance may take (1024..65535).</summary>
    public required int HostFrom { get; init; }

    /// <summary>Required. The highest host port an instance may take (at least <see cref="HostFrom"/>).</summary>
    public required int HostTo { get; init; }

    /// <summary>Optional, default 127.0.0.1; refused on the host network. Where the container port is published.</summary>
    public string HostIp { get; init; } = DefaultHostIp;

    /// <summary>The host the instance's endpoint names: <see cref="HostIp"/>, or loopback when published on every address.</summary>
    public string EndpointHost => HostIp is "0.0.0.0" ? DefaultHostIp : HostIp is "::" ? "::1" : HostIp;

    /// <summary>Reads <c>Ports</c> under <paramref name="path"/>; null (with every problem in <paramref name="bag"/>) when unusable.</summary>
    public static DockerPorts? Read(JsonElement p, string path, bool hostNetwork, DiagnosticBag bag)
    {
        var at = JsonReading.ChildPath(p, path, "Ports");
        var example = hostNetwork
            ? "e.g. {\"Host\": \"18000-18009\"}, with the app listening on {{port}}"
            : "e.g. {\"Container\": 8080, \"Host\": \"18000-18009\"}";
        JsonReading.TryGet(p, "Ports", out var v);
        if (!JsonReading.Object(v.ValueKind == JsonValueKind.Undefined ? null : v, at, bag, $"give the host ports instances may take, {example}"))
        {
            return null;
        }

        var before = bag.Items.Count;
        JsonReading.KnownFields(v, at, bag, "Container", "Host", "HostIp");
        var container = ReadContainer(v, at, hostNetwork, bag);
        var (from, to) = ReadRange(v, at, bag);
        var hostIp = ReadHostIp(v, at, hostNetwork, bag);
        if (bag.Items.Skip(before).Any(d => d.Severity == Severity.Error))
        {
            return null;
        }

        return new DockerPorts { Container = container, HostFrom = from!.Value, HostTo = to!.Value, HostIp = hostIp ?? DefaultHostIp };
    }

    private static int? ReadContainer(JsonElement v, string at, bool hostNetwork, DiagnosticBag bag)
    {
        var here = JsonReading.ChildPath(v, at, "Container");
        var present = JsonReading.TryGet(v, "Container", out _);
        if (hostNetwork && present)
        {
            bag.Add(Errors.Conflict, here,
                "cannot be set with Network \"host\": the app listens on the host port itself; remove Container and make the app listen on {{port}}");
            return null;
        }

        if (!hostNetwork && !present)
        {
            bag.Add(Errors.Missing, here, "is required on a bridge or user network; give the port the app listens on inside the container, e.g. 8080");
            return null;
        }

        return JsonReading.Int(v, at, "Container", bag, min: 1, max: 65535);
    }

    private static (int? From, int? To) ReadRange(JsonElement v, string at, DiagnosticBag bag)
    {
        var here = JsonReading.ChildPath(v, at, "Host");
        const string fix = "give a range of host ports such as \"18000-18009\" (or one port, \"18000\"), between 1024 and 65535";
        if (!JsonReading.TryGet(v, "Host", out var value))
        {
            bag.Add(Errors.Missing, here, $"is required; {fix}");
            return (null, null);
        }

        var text = value.ValueKind switch
        {
            JsonValueKind.String => value.GetString()!.Trim(),
            JsonValueKind.Number => value.GetRawText(),
            _ => null,
        };
        if (text is null)
        {
            bag.Add(Errors.WrongType, here, $"must be a string (was {JsonReading.Describe(value)}); {fix}");
            return (null, null);
        }

        var parts = text.Split('-');
        if (parts.Length > 2 || !parts.All(IsPort))
        {
            bag.Add(Errors.InvalidValue, here, $"\"{text}\" is not a port range; {fix}");
            return (null, null);
        }

        var from = int.Parse(parts[0], CultureInfo.InvariantCulture);
        var to = int.Parse(parts[^1], CultureInfo.InvariantCulture);
        if (from < 1024 || to > 65535)
        {
            bag.Add(Errors.OutOfRange, here, $"\"{text}\" goes outside 1024-65535; {fix}");
            return (null, null);
        }

        if (from > to)
        {
            bag.Add(Errors.Conflict, here, $"\"{text}\" starts above where it ends; write the lower port first, e.g. \"{to}-{from}\"");
            return (null, null);
        }

        return (from, to);
    }

    private static bool IsPort(string part) => part.Length is > 0 and <= 5 && part.All(char.IsAsciiDigit);

    private static string? ReadHostIp(JsonElement v, string at, bool hostNetwork, DiagnosticBag bag)
    {
        var here = JsonReading.ChildPath(v, at, "HostIp");
        var ip = JsonReading.String(v, at, "HostIp", bag, required: false, "give an IP address of the Docker host, e.g. \"127.0.0.1\"");
        if (ip is null)
        {
            return null;
        }

        if (hostNetwork)
        {
            bag.Add(Errors.Conflict, here, "cannot be set with Network \"host\": nothing is published; remove HostIp and choose the address in the app");
            return null;
        }

        if (!IPAddress.TryParse(ip, out _) || ip.Contains('%'))
        {
            bag.Add(Errors.InvalidValue, here, $"\"{ip}\" is not an IP address; give one of the Docker host's addresses, e.g. \"127.0.0.1\"");
            return null;
        }

        return ip;
    }
}
