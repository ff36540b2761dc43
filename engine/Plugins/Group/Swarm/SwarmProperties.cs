using System.Text.Json;
using System.Text.RegularExpressions;
using Deploy.Engine.Diagnostics;
using Deploy.Engine.Docker;
using Deploy.Engine.Plugins.Instance.Docker;
using Deploy.Engine.Spec;

namespace Deploy.Engine.Plugins.Group.Swarm;

/// <summary>The <c>group-swarm</c> plugin's <c>Properties</c>, read and checked in one pass without any Docker call.</summary>
public sealed partial record SwarmProperties
{
    /// <summary>Ports are handed out in aligned blocks of this many: a task's port is its block's base plus its slot (1..99).</summary>
    public const int BlockSize = 100;

    /// <summary>Optional, default <c>DOCKER_HOST</c>, else the local socket. A Swarm manager's engine, with its Tls or Ssh.</summary>
    public required DockerHostAddress Host { get; init; }

    /// <summary>Required. The image every task runs: <c>repo:tag</c> or <c>repo@sha256:digest</c>, pullable by every node.</summary>
    public required ImageReference Image { get; init; }

    /// <summary>Optional, default the Docker config file's login. Sent with the service so every node can pull. Values may be secrets.</summary>
    public RegistryLogin? RegistryAuth { get; init; }

    /// <summary>Optional, default the image's own. The task's command (argv); <c>{{port}}</c> is replaced.</summary>
    public IReadOnlyList<string>? Command { get; init; }

    /// <summary>Optional, default none. The tasks' variables; <c>{{port}}</c> becomes each task's own port, values may be secrets.</summary>
    public IReadOnlyDictionary<string, string> Env { get; init; } = new Dictionary<string, string>();

    /// <summary>Required. The host ports, <c>"18200-18399"</c>: each service takes one aligned block of 100, each task its base + slot.</summary>
    public required (int From, int To) Ports { get; init; }

    /// <summary>Optional, default none. Bind mounts <c>/node/path:/container/path[:ro|:rw]</c>; the source must exist on every node a task may run on.</summary>
    public IReadOnlyList<string> Mounts { get; init; } = [];

    /// <summary>Optional, default none. Placement constraints, e.g. <c>node.role==worker</c>, <c>node.labels.zone!=b</c>.</summary>
    public IReadOnlyList<string> Constraints { get; init; } = [];

    /// <summary>Optional, default 0 (no limit). The most tasks of the service one node runs.</summary>
    public int MaxReplicasPerNode { get; init; }

    /// <summary>Optional, default 10s. How long a task may take to exit after SIGTERM before SIGKILL.</summary>
    public TimeSpan StopGracePeriod { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Optional, default true. Runs an init process as PID 1 (<c>--init</c>), which forwards signals and reaps children.</summary>
    public bool Init { get; init; } = true;

    internal const string Example =
        "e.g. {\"Image\": \"registry.example.com/shop:1.2.0\", \"Ports\": \"18200-18399\", \"Env\": {\"PORT\": \"{{port}}\"}}";

    /// <summary>Reads <paramref name="properties"/>; every problem goes to <paramref name="bag"/> with its path, and null is returned when any was found.</summary>
    public static SwarmProperties? Read(JsonElement? properties, string path, DiagnosticBag bag, Func<string, string?>? environment = null)
    {
        if (!JsonReading.Object(properties, path, bag, Example))
        {
            return null;
        }

        var p = properties!.Value;
        var before = bag.Items.Count;
        JsonReading.KnownFields(p, path, bag, [.. DockerHostAddress.Fields, "Image", "RegistryAuth", "Command", "Env", "Ports", "Network", "Mounts",
            "Constraints", "MaxReplicasPerNode", "StopGracePeriod", "Init"]);
        var host = DockerHostAddress.Read(p, path, bag, environment);
        var registryAuth = RegistryLogin.Read(p, path, bag);
        var image = DockerProperties.ReadImage(p, path, bag);
        var command = DockerProperties.ReadCommand(p, path, bag);
        var env = DockerProperties.ReadEnv(p, path, bag);
        var ports = ReadPorts(p, path, bag);
        ReadNetwork(p, path, bag);
        var mounts = BindMounts.Read(p, path, bag);
        var constraints = ReadConstraints(p, path, bag);
        var maxPerNode = JsonReading.Int(p, path, "MaxReplicasPerNode", bag, min: 0, max: Allocation.MaxSize) ?? 0;
        var grace = JsonReading.Duration(p, path, "StopGracePeriod", bag) ?? TimeSpan.FromSeconds(10);
        var init = JsonReading.Bool(p, path, "Init", bag) ?? true;
        if (!env.Values.Concat(command ?? []).Any(v => v.Contains("{{port}}", StringComparison.Ordinal)))
        {
            bag.Add(Errors.Missing, JsonReading.ChildPath(p, path, "Env"),
                "nothing tells a task its port: each task listens on its own port of Ports; pass it, e.g. \"Env\": {\"PORT\": \"{{port}}\"} or {\"ASPNETCORE_HTTP_PORTS\": \"{{port}}\"}");
        }

        if (bag.Items.Skip(before).Any(d => d.Severity == Severity.Error))
        {
            return null;
        }

        return new SwarmProperties
        {
            Host = host!, Image = image!, RegistryAuth = registryAuth, Command = command, Env = env, Ports = ports!.Value,
            Mounts = mounts, Constraints = constraints, MaxReplicasPerNode = maxPerNode, StopGracePeriod = grace, Init = init,
        };
    }

    /// <summary>The aligned blocks of <see cref="Ports"/>, lowest first.</summary>
    public IEnumerable<int> Blocks()
    {
        for (var start = Ports.From; start + BlockSize - 1 <= Ports.To; start += BlockSize)
        {
            yield return start;
        }
    }

    // "A-B" with A a multiple of 100 and at least one whole block: the port template can only append a two-digit slot.
    private static (int, int)? ReadPorts(JsonElement p, string path, DiagnosticBag bag)
    {
        const string fix = "give a range of whole hundreds, one block of 100 per colour, e.g. \"18200-18399\"";
        var text = JsonReading.String(p, path, "Ports", bag, required: true, fix);
        if (text is null)
        {
            return null;
        }

        var at = JsonReading.ChildPath(p, path, "Ports");
        var match = PortRange().Match(text);
        if (!match.Success || !int.TryParse(match.Groups[1].Value, out var from) || !int.TryParse(match.Groups[2].Value, out var to)
            || from < 1024 || to > 65535 || from % BlockSize != 0 || to - from + 1 < BlockSize)
        {
            bag.Add(Errors.InvalidValue, at, $"\"{text}\" is not a port range starting at a multiple of 100 (1024-65535) and holding at least 100 ports; {fix}");
            return null;
        }

        return (from, to);
    }

    // Tasks share their node's network: without IPVS (no routing mesh here, and proxies talk to tasks directly) that is
    // the one mode in which each task answers on its node's address.
    private static void ReadNetwork(JsonElement p, string path, DiagnosticBag bag)
    {
        var network = JsonReading.String(p, path, "Network", bag, required: false, "leave it out or give \"host\"");
        if (network is not null and not "host")
        {
            bag.Add(Errors.InvalidValue, JsonReading.ChildPath(p, path, "Network"),
                $"\"{network}\" is not supported: tasks use their node's network (\"host\"), so the proxy reaches each one at its node's address and port; remove Network");
        }
    }

    private static List<string> ReadConstraints(JsonElement p, string path, DiagnosticBag bag)
    {
        var at = JsonReading.ChildPath(p, path, "Constraints");
        var list = new List<string>();
        if (!JsonReading.TryGet(p, "Constraints", out var value))
        {
            return list;
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            bag.Add(Errors.WrongType, at, "must be an array of constraints, e.g. [\"node.role==worker\"]");
            return list;
        }

        var i = 0;
        foreach (var item in value.EnumerateArray())
        {
            var itemAt = Json.JsonPath.Index(at, i++);
            if (item.ValueKind != JsonValueKind.String || SwarmConstraint.TryParse(item.GetString()!) is null)
            {
                bag.Add(Errors.InvalidValue, itemAt,
                    $"{(item.ValueKind == JsonValueKind.String ? $"\"{item.GetString()}\"" : "this")} is not a placement constraint; write KEY==VALUE or KEY!=VALUE with KEY one of node.id, node.hostname, node.role, node.platform.os, node.platform.arch, node.labels.NAME, engine.labels.NAME");
                continue;
            }

            list.Add(item.GetString()!);
        }

        return list;
    }

    [GeneratedRegex(@"^\s*([0-9]{4,5})\s*-\s*([0-9]{4,5})\s*$")]
    private static partial Regex PortRange();
}
