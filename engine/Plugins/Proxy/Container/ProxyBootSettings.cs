using System.Text.Json;
using System.Text.RegularExpressions;
using Deploy.Engine.Diagnostics;
using Deploy.Engine.Json;
using Deploy.Engine.Spec;

namespace Deploy.Engine.Plugins.Proxy.Container;

/// <summary>
/// What <c>deploy proxy boot</c> creates when the proxy's container is missing: the <c>Boot</c> object of the proxy's
/// properties. The proxy's own configuration (an nginx.conf that includes the upstream file) comes from the image or
/// from a mount; Deploy writes only the file it flips.
/// </summary>
/// <param name="Image">The image, e.g. <c>nginx:1.27</c>; pulled when the engine lacks it; required.</param>
/// <param name="Network">The network the container joins; default <c>host</c> (the proxy listens on the host's ports).</param>
/// <param name="Mounts">Bind mounts <c>SOURCE:TARGET[:ro|rw]</c>, both absolute, SOURCE a path on the Docker host; default none.</param>
/// <param name="Command">Replaces the image's command (argv); default the image's.</param>
public sealed partial record ProxyBootSettings(string Image, string Network, IReadOnlyList<string> Mounts, IReadOnlyList<string>? Command)
{
    private const string Fix =
        "e.g. \"Boot\": {\"Image\": \"nginx:1.27\", \"Network\": \"host\", \"Mounts\": [\"/srv/shop/nginx.conf:/etc/nginx/nginx.conf:ro\"]}";

    /// <summary>Every property name, for typo detection.</summary>
    public static readonly string[] Known = ["Image", "Network", "Mounts", "Command"];

    /// <summary>The settings at <paramref name="path"/>, or null with every problem recorded in <paramref name="bag"/>.</summary>
    public static ProxyBootSettings? Read(JsonElement boot, string path, DiagnosticBag bag)
    {
        if (!JsonReading.Object(boot, path, bag, Fix))
        {
            return null;
        }

        var before = bag.Items.Count;
        ProxyProperties.RejectUnknown(boot, path, bag, Known);
        var image = JsonReading.String(boot, path, "Image", bag, required: true, "the proxy's image, e.g. \"nginx:1.27\"");
        if (image is not null && !ImageReference().IsMatch(image))
        {
            bag.Add(Errors.InvalidValue, JsonReading.ChildPath(boot, path, "Image"),
                $"must be an image reference such as nginx:1.27 or registry.example.com/team/proxy@sha256:... (was \"{image}\")");
        }

        var network = JsonReading.String(boot, path, "Network", bag, required: false, "e.g. \"host\"") ?? "host";
        if (!NetworkName().IsMatch(network))
        {
            bag.Add(Errors.InvalidValue, JsonReading.ChildPath(boot, path, "Network"),
                $"must be a Docker network name: letters, digits, _ . and - (was \"{network}\"); e.g. \"host\"");
        }

        var mounts = ReadMounts(boot, path, bag);
        var command = ProxyProperties.Argv(boot, path, "Command", bag, required: false, "e.g. [\"nginx\", \"-g\", \"daemon off;\"]");
        return bag.Items.Count > before ? null : new ProxyBootSettings(image!, network, mounts, command);
    }

    private static List<string> ReadMounts(JsonElement boot, string path, DiagnosticBag bag)
    {
        var mounts = new List<string>();
        if (!JsonReading.TryGet(boot, "Mounts", out var list))
        {
            return mounts;
        }

        var at = JsonReading.ChildPath(boot, path, "Mounts");
        if (list.ValueKind != JsonValueKind.Array)
        {
            bag.Add(Errors.WrongType, at, $"must be an array of \"SOURCE:TARGET[:ro]\" strings (was {JsonReading.Describe(list)}); e.g. [\"/srv/shop/nginx.conf:/etc/nginx/nginx.conf:ro\"]");
            return mounts;
        }

        var i = 0;
        foreach (var item in list.EnumerateArray())
        {
            var itemPath = JsonPath.Index(at, i++);
            if (item.ValueKind != JsonValueKind.String)
            {
                bag.Add(Errors.WrongType, itemPath, $"must be a string \"SOURCE:TARGET[:ro]\" (was {JsonReading.Describe(item)})");
                continue;
            }

            var text = item.GetString()!;
            var parts = text.Split(':');
            if (parts.Length is < 2 or > 3 || parts.Take(2).Any(string.IsNullOrWhiteSpace) || parts.Length == 3 && parts[2] is not ("ro" or "rw"))
            {
                bag.Add(Errors.InvalidValue, itemPath,
                    $"must be \"SOURCE:TARGET\" or \"SOURCE:TARGET:ro\" (was \"{text}\"); e.g. \"/srv/shop/nginx.conf:/etc/nginx/nginx.conf:ro\"");
            }
            else if (!parts[0].StartsWith('/'))
            {
                bag.Add(Errors.InvalidValue, itemPath,
                    $"the source \"{parts[0]}\" must be an absolute path on the Docker host (it is not resolved against the spec's folder: the engine may be another machine); e.g. \"/srv/shop/{parts[0].TrimStart('.', '/')}:{string.Join(':', parts[1..])}\"");
            }
            else if (!parts[1].StartsWith('/'))
            {
                bag.Add(Errors.InvalidValue, itemPath,
                    $"the target \"{parts[1]}\" must be an absolute path inside the container; e.g. \"{parts[0]}:/etc/nginx/nginx.conf\"");
            }
            else
            {
                mounts.Add(text);
            }
        }

        return mounts;
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._/:@+-]*$")]
    private static partial Regex ImageReference();

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]*$")]
    private static partial Regex NetworkName();
}
