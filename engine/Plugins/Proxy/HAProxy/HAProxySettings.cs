using System.Text.Json;
using Deploy.Engine.Diagnostics;
using Deploy.Engine.Plugins.Proxy.Container;
using Deploy.Engine.Spec;

namespace Deploy.Engine.Plugins.Proxy.HAProxy;

/// <summary>
/// The <c>proxy-haproxy</c> properties, validated; paths on this machine already resolved against the spec's folder,
/// paths in a container kept as written (absolute).
/// </summary>
/// <param name="ConfigFile">The file holding only the backend section, loaded with a second <c>-f</c> (inside the container with <paramref name="Container"/>); required.</param>
/// <param name="Backend">The backend's name, as used by <c>default_backend NAME</c>; required.</param>
/// <param name="TestCommand">Checks the configuration, e.g. <c>["haproxy","-c","-f","haproxy.cfg","-f","backend.cfg"]</c>; optional.</param>
/// <param name="ReloadCommand">Reloads gracefully, e.g. <c>["kill","-USR2","&lt;master pid&gt;"]</c>; required.</param>
/// <param name="Url">The app through HAProxy: a flip is judged only once this answers from the new colour; required.</param>
/// <param name="PidFile">The master's pid file (<c>-W -p</c>): when set, a flip returns once a new worker runs; optional.</param>
/// <param name="HealthPath">The path HAProxy's health checks request; default <c>/healthz</c>.</param>
/// <param name="Container">The container HAProxy runs in (its file and commands are there); null: HAProxy runs on this machine.</param>
public sealed record HAProxySettings(
    string ConfigFile,
    string Backend,
    IReadOnlyList<string>? TestCommand,
    IReadOnlyList<string> ReloadCommand,
    Uri Url,
    string? PidFile,
    string HealthPath,
    ProxyContainer? Container = null)
    : IConfigFileSettings
{
    private const string Fix =
        "e.g. \"Properties\": {\"ConfigFile\": \"haproxy/backend.cfg\", \"Backend\": \"shop\", \"ReloadCommand\": [\"systemctl\", \"reload\", \"haproxy\"]}";

    /// <summary>Every property name, for typo detection.</summary>
    public static readonly string[] Known = ["ConfigFile", "Backend", "TestCommand", "ReloadCommand", "Url", "PidFile", "HealthPath", .. ProxyContainer.Known];

    /// <summary>The settings at <paramref name="path"/>, or null with every problem recorded in <paramref name="bag"/>.</summary>
    public static HAProxySettings? Read(JsonElement? properties, string path, string baseDirectory, DiagnosticBag bag)
    {
        if (!JsonReading.Object(properties, path, bag, Fix))
        {
            return null;
        }

        var p = properties!.Value;
        var before = bag.Items.Count;
        ProxyProperties.RejectUnknown(p, path, bag, Known);
        var file = ProxyProperties.FilePath(p, path, "ConfigFile", bag, required: true, "name the backend file passed to haproxy with a second -f");
        var backend = ProxyProperties.Name(p, path, "Backend", bag, "use the name in default_backend NAME or use_backend NAME");
        var test = ProxyProperties.Argv(p, path, "TestCommand", bag, required: false, "e.g. [\"haproxy\", \"-c\", \"-f\", \"haproxy.cfg\", \"-f\", \"backend.cfg\"]");
        var reload = ProxyProperties.Argv(p, path, "ReloadCommand", bag, required: true, "e.g. [\"systemctl\", \"reload\", \"haproxy\"]");
        var url = ProxyProperties.Url(p, path, "Url", bag,
            "the app's address through this proxy, where a flip is seen to take effect and the new colour is verified; e.g. \"http://127.0.0.1:8080/\"", required: true);
        var pid = ProxyProperties.FilePath(p, path, "PidFile", bag, required: false, "e.g. \"/run/haproxy.pid\"");
        var health = JsonReading.String(p, path, "HealthPath", bag, required: false, "e.g. \"/healthz\"") ?? "/healthz";
        if (!health.StartsWith('/') || health.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            bag.Add(Errors.InvalidValue, JsonReading.ChildPath(p, path, "HealthPath"), $"must be a URL path starting with / without spaces (was \"{health}\"); e.g. \"/healthz\"");
        }

        var container = ProxyContainer.Read(p, path, bag, "ConfigFile", file, "/usr/local/etc/haproxy/backend.cfg");
        if (bag.Items.Count > before)
        {
            return null;
        }

        return new HAProxySettings(container is null ? ProxyProperties.Resolve(file!, baseDirectory) : file!, backend!, test, reload!, url!,
            pid is null ? null : ProxyProperties.Resolve(pid, baseDirectory), health, container);
    }

    /// <inheritdoc />
    public string ConfigPath => ConfigFile;
}
