using System.Text.Json;
using Deploy.Engine.Diagnostics;
using Deploy.Engine.Docker;
using Deploy.Engine.Spec;

namespace Deploy.Engine.Plugins.Instance.Docker;

/// <summary>When the image is pulled from its registry before a container is created.</summary>
public enum PullPolicy
{
    /// <summary>Only when the engine does not have the image (the default).</summary>
    Missing,
    /// <summary>Before every container, so a moved tag is followed.</summary>
    Always,
    /// <summary>Never: the image must already be on the engine.</summary>
    Never,
}

/// <summary>The <c>instance-docker</c> plugin's <c>Properties</c>, read and checked in one pass without any Docker call.</summary>
public sealed partial record DockerProperties
{
    /// <summary>The network mode in which containers share the host's network: the app listens on the chosen host port.</summary>
    public const string HostNetwork = "host";

    /// <summary>Docker's default network; containers publish <see cref="DockerPorts.Container"/> on the chosen host port.</summary>
    public const string BridgeNetwork = "bridge";

    /// <summary>Optional, default <c>DOCKER_HOST</c>, else <c>unix:///var/run/docker.sock</c>. The engine that runs the containers.</summary>
    public required DockerHostAddress Host { get; init; }

    /// <summary>Required. The image: <c>repo:tag</c> or <c>repo@sha256:digest</c>.</summary>
    public required ImageReference Image { get; init; }

    /// <summary>Optional, default the Docker config file's login for the image's registry. Values may be secrets.</summary>
    public RegistryLogin? RegistryAuth { get; init; }

    /// <summary>Optional, default <see cref="PullPolicy.Missing"/>.</summary>
    public PullPolicy Pull { get; init; } = PullPolicy.Missing;

    /// <summary>Optional, default the image's own command. The container's command (argv); <c>{{port}}</c> is replaced.</summary>
    public IReadOnlyList<string>? Command { get; init; }

    /// <summary>Optional, default none. The container's variables; values may hold <c>{{port}}</c> and secrets.</summary>
    public IReadOnlyDictionary<string, string> Env { get; init; } = new Dictionary<string, string>();

    /// <summary>Required. The host port range each instance takes one port from, and the container port it publishes.</summary>
    public required DockerPorts Ports { get; init; }

    /// <summary>Optional, default <c>bridge</c>: <c>host</c>, <c>bridge</c> or the name of a user network.</summary>
    public string Network { get; init; } = BridgeNetwork;

    /// <summary>Optional, default none. Labels of the user's own; keys starting with <c>deploy.</c> are Deploy's.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    /// <summary>Optional, default none. Bind mounts <c>/host/path:/container/path[:ro|:rw]</c>, paths on the Docker host.</summary>
    public IReadOnlyList<string> Mounts { get; init; } = [];

    /// <summary>Optional, default <c>unless-stopped</c>: <c>no</c>, <c>always</c>, <c>unless-stopped</c> or <c>on-failure</c>.</summary>
    public string RestartPolicy { get; init; } = "unless-stopped";

    /// <summary>Optional, default 10s. How long a stopped container may take to exit after SIGTERM before SIGKILL.</summary>
    public TimeSpan StopTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Optional, default the image's own. The container's HEALTHCHECK.</summary>
    public DockerHealthcheck? Healthcheck { get; init; }

    /// <summary>True when containers share the host's network.</summary>
    public bool UsesHostNetwork => Network == HostNetwork;

    private static readonly string[] RestartPolicies = ["no", "always", "unless-stopped", "on-failure"];

    internal const string Example =
        "e.g. {\"Image\": \"registry.example.com/shop:1.2.0\", \"Ports\": {\"Container\": 8080, \"Host\": \"18000-18009\"}}";

    /// <summary>
    /// Reads <paramref name="properties"/>; every problem goes to <paramref name="bag"/> with its path, and null is returned
    /// when any was found. <paramref name="environment"/> supplies <c>DOCKER_HOST</c> when <c>Host</c> is not set.
    /// </summary>
    public static DockerProperties? Read(JsonElement? properties, string path, DiagnosticBag bag, Func<string, string?>? environment = null)
    {
        if (!JsonReading.Object(properties, path, bag, Example))
        {
            return null;
        }

        var p = properties!.Value;
        var before = bag.Items.Count;
        JsonReading.KnownFields(p, path, bag, [.. DockerHostAddress.Fields, "Image", "Pull", "RegistryAuth", "Command", "Env", "Ports", "Network",
            "Labels", "Mounts", "RestartPolicy", "StopTimeout", "Healthcheck"]);
        var host = DockerHostAddress.Read(p, path, bag, environment);
        var registryAuth = RegistryLogin.Read(p, path, bag);
        var image = ReadImage(p, path, bag);
        var pull = ReadChoice(p, path, "Pull", ["missing", "always", "never"], bag) switch
        {
            "always" => PullPolicy.Always,
            "never" => PullPolicy.Never,
            _ => PullPolicy.Missing,
        };
        var command = ReadCommand(p, path, bag);
        var env = ReadEnv(p, path, bag);
        var network = ReadNetwork(p, path, bag);
        var ports = DockerPorts.Read(p, path, network == HostNetwork, bag);
        var labels = ReadLabels(p, path, bag);
        var mounts = BindMounts.Read(p, path, bag);
        var restart = ReadChoice(p, path, "RestartPolicy", RestartPolicies, bag) ?? "unless-stopped";
        var stopTimeout = JsonReading.Duration(p, path, "StopTimeout", bag) ?? TimeSpan.FromSeconds(10);
        var healthcheck = DockerHealthcheck.Read(p, path, bag);

        if (bag.Items.Skip(before).Any(d => d.Severity == Severity.Error))
        {
            return null;
        }

        return new DockerProperties
        {
            Host = host!,
            Image = image!,
            RegistryAuth = registryAuth,
            Pull = pull,
            Command = command,
            Env = env,
            Ports = ports!,
            Network = network,
            Labels = labels,
            Mounts = mounts,
            RestartPolicy = restart,
            StopTimeout = stopTimeout,
            Healthcheck = healthcheck,
        };
    }

    internal static ImageReference? ReadImage(JsonElement p, string path, DiagnosticBag bag)
    {
        const string fix = "give a tag or a digest, e.g. \"registry.example.com/shop:1.2.0\" or \"registry.example.com/shop@sha256:<64 hex>\"";
        var text = JsonReading.String(p, path, "Image", bag, required: true, fix);
        if (text is null)
        {
            return null;
        }

        var image = ImageReference.TryParse(text, out var problem);
        if (image is null)
        {
            bag.Add(Errors.InvalidValue, JsonReading.ChildPath(p, path, "Image"), $"\"{text}\" is not an image reference: {problem}; {fix}");
        }

        return image;
    }

    private static string ReadNetwork(JsonElement p, string path, DiagnosticBag bag)
    {
        var at = JsonReading.ChildPath(p, path, "Network");
        var network = JsonReading.String(p, path, "Network", bag, required: false, "give \"host\", \"bridge\" or a network's name");
        if (network is null)
        {
            return BridgeNetwork;
        }

        if (network == "none" || network.StartsWith("container:", StringComparison.Ordinal) || !NetworkName().IsMatch(network))
        {
            bag.Add(Errors.InvalidValue, at,
                $"\"{network}\" cannot give instances an address the proxy reaches; use \"host\", \"bridge\" or the name of a network created with 'docker network create'");
        }

        return network;
    }

    // One of a few fixed words; null when absent or wrong (and reported).
    internal static string? ReadChoice(JsonElement p, string path, string name, string[] choices, DiagnosticBag bag)
    {
        var value = JsonReading.String(p, path, name, bag, required: false, $"use one of {string.Join(", ", choices)}");
        if (value is null || choices.Contains(value, StringComparer.Ordinal))
        {
            return value;
        }

        bag.Add(Errors.InvalidValue, JsonReading.ChildPath(p, path, name), $"\"{value}\" is not one of {string.Join(", ", choices)}; use one of them");
        return null;
    }

    [System.Text.RegularExpressions.GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]*$")]
    private static partial System.Text.RegularExpressions.Regex NetworkName();
}
