using Deploy.Engine.Docker;
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
/// <param name="Files">Files copied from the deploying machine into the new container before it starts: container path →
/// local file (relative to the spec's folder). For a remote Docker host, where a bind mount would need the file there first.</param>
public sealed partial record ProxyBootSettings(string Image, string Network, IReadOnlyList<string> Mounts, IReadOnlyList<string>? Command,
    IReadOnlyDictionary<string, string> Files)
{
    private const string Fix =
        "e.g. \"Boot\": {\"Image\": \"nginx:1.27\", \"Network\": \"host\", \"Mounts\": [\"/srv/shop/nginx.conf:/etc/nginx/nginx.conf:ro\"]}";

    /// <summary>Every property name, for typo detection.</summary>
    public static readonly string[] Known = ["Image", "Network", "Mounts", "Command", "Files"];

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

        var mounts = BindMounts.Read(boot, path, bag);
        var command = ProxyProperties.Argv(boot, path, "Command", bag, required: false, "e.g. [\"nginx\", \"-g\", \"daemon off;\"]");
        var files = ReadFiles(boot, path, bag);
        return bag.Items.Count > before ? null : new ProxyBootSettings(image!, network, mounts, command, files);
    }

    private static Dictionary<string, string> ReadFiles(JsonElement boot, string path, DiagnosticBag bag)
    {
        const string example = "e.g. \"Files\": {\"/etc/nginx/nginx.conf\": \"nginx.conf\"}";
        var files = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!JsonReading.TryGet(boot, "Files", out var json))
        {
            return files;
        }

        var at = JsonReading.ChildPath(boot, path, "Files");
        if (!JsonReading.Object(json, at, bag, example))
        {
            return files;
        }

        foreach (var file in json.EnumerateObject())
        {
            var here = JsonReading.ChildPath(json, at, file.Name);
            if (!file.Name.StartsWith('/') || file.Name.EndsWith('/'))
            {
                bag.Add(Errors.InvalidValue, here, $"the key is the file's path in the container and must be absolute (was \"{file.Name}\"); {example}");
            }
            else if (file.Value.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(file.Value.GetString()))
            {
                bag.Add(Errors.WrongType, here, $"must be the path of a file on this machine, relative to the spec's folder; {example}");
            }
            else
            {
                files[file.Name] = file.Value.GetString()!;
            }
        }

        return files;
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._/:@+-]*$")]
    private static partial Regex ImageReference();

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]*$")]
    private static partial Regex NetworkName();
}
