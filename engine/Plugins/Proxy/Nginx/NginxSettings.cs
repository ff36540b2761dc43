using System.Text.Json;
using Deploy.Engine.Diagnostics;
using Deploy.Engine.Plugins.Proxy.Container;
using Deploy.Engine.Spec;

namespace Deploy.Engine.Plugins.Proxy.Nginx;

/// <summary>
/// The <c>proxy-nginx</c> properties, validated; paths on this machine already resolved against the spec's folder, paths
/// in a container kept as written (absolute).
/// </summary>
/// <param name="UpstreamFile">The file nginx includes, holding only the <c>upstream</c> block (inside the container with <paramref name="Container"/>); required.</param>
/// <param name="Upstream">The upstream's name, as used by <c>proxy_pass http://NAME;</c>; required.</param>
/// <param name="TestCommand">Checks the configuration, e.g. <c>["nginx","-t","-c","/etc/nginx/nginx.conf"]</c>; optional.</param>
/// <param name="ReloadCommand">Reloads gracefully, e.g. <c>["nginx","-s","reload"]</c>; required.</param>
/// <param name="Url">The app through nginx: a flip is judged only once this answers from the new colour; required.</param>
/// <param name="PidFile">nginx's pid file: an optional speed-up where nginx runs on this machine (old workers are watched).</param>
/// <param name="Container">The container nginx runs in (its file and commands are there); null: nginx runs on this machine.</param>
public sealed record NginxSettings(
    string UpstreamFile,
    string Upstream,
    IReadOnlyList<string>? TestCommand,
    IReadOnlyList<string> ReloadCommand,
    Uri Url,
    string? PidFile,
    ProxyContainer? Container = null)
    : IConfigFileSettings
{
    private const string Fix =
        "e.g. \"Properties\": {\"UpstreamFile\": \"nginx/upstream.conf\", \"Upstream\": \"shop\", \"ReloadCommand\": [\"nginx\", \"-s\", \"reload\"]}";

    /// <summary>Every property name, for typo detection.</summary>
    public static readonly string[] Known = ["UpstreamFile", "Upstream", "TestCommand", "ReloadCommand", "Url", "PidFile", .. ProxyContainer.Known];

    /// <summary>The settings at <paramref name="path"/>, or null with every problem recorded in <paramref name="bag"/>.</summary>
    public static NginxSettings? Read(JsonElement? properties, string path, string baseDirectory, DiagnosticBag bag)
    {
        if (!JsonReading.Object(properties, path, bag, Fix))
        {
            return null;
        }

        var p = properties!.Value;
        var before = bag.Items.Count;
        ProxyProperties.RejectUnknown(p, path, bag, Known);
        var file = ProxyProperties.FilePath(p, path, "UpstreamFile", bag, required: true, "name the file your nginx.conf includes inside http { }");
        var upstream = ProxyProperties.Name(p, path, "Upstream", bag, "use the name in proxy_pass http://NAME;");
        var test = ProxyProperties.Argv(p, path, "TestCommand", bag, required: false, "e.g. [\"nginx\", \"-t\", \"-q\"]");
        var reload = ProxyProperties.Argv(p, path, "ReloadCommand", bag, required: true, "e.g. [\"nginx\", \"-s\", \"reload\"]");
        var url = ProxyProperties.Url(p, path, "Url", bag,
            "the app's address through this proxy, where a flip is seen to take effect and the new colour is verified; e.g. \"http://127.0.0.1:8080/\"", required: true);
        var pid = ProxyProperties.FilePath(p, path, "PidFile", bag, required: false, "e.g. \"/run/nginx.pid\"");
        var container = ProxyContainer.Read(p, path, bag, "UpstreamFile", file, "/etc/nginx/deploy/upstream.conf");
        if (bag.Items.Count > before)
        {
            return null;
        }

        return new NginxSettings(container is null ? ProxyProperties.Resolve(file!, baseDirectory) : file!, upstream!, test, reload!, url!,
            pid is null ? null : ProxyProperties.Resolve(pid, baseDirectory), container);
    }

    /// <inheritdoc />
    public string ConfigPath => UpstreamFile;
}
