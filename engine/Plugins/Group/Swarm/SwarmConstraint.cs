using System.Text.RegularExpressions;

namespace Deploy.Engine.Plugins.Group.Swarm;

/// <summary>
/// One placement constraint as Swarm reads it (<c>node.role==worker</c>), so that a constraint no node meets is
/// reported before a service is committed, naming the nodes there are, rather than leaving its tasks pending forever.
/// </summary>
public sealed partial record SwarmConstraint(string Key, bool Equal, string Value)
{
    /// <summary>The constraint in <paramref name="text"/>, or null when it is not one Swarm accepts.</summary>
    public static SwarmConstraint? TryParse(string text)
    {
        var match = Pattern().Match(text);
        return match.Success ? new SwarmConstraint(match.Groups["key"].Value, match.Groups["op"].Value == "==", match.Groups["value"].Value.Trim()) : null;
    }

    /// <summary>Whether a node with these attributes meets the constraint (keys and roles compare without case, as Swarm does).</summary>
    public bool Matches(SwarmNode node)
    {
        var actual = Key.ToLowerInvariant() switch
        {
            "node.id" => node.Id,
            "node.hostname" => node.Hostname,
            "node.role" => node.Role,
            "node.platform.os" => node.Os,
            "node.platform.arch" => node.Arch,
            var k when k.StartsWith("node.labels.", StringComparison.Ordinal) => node.Labels.GetValueOrDefault(Key["node.labels.".Length..]),
            var k when k.StartsWith("engine.labels.", StringComparison.Ordinal) => node.EngineLabels.GetValueOrDefault(Key["engine.labels.".Length..]),
            _ => null,
        };
        var same = actual is not null && string.Equals(actual, Value, StringComparison.OrdinalIgnoreCase);
        return Equal ? same : !same;
    }

    /// <inheritdoc />
    public override string ToString() => $"{Key}{(Equal ? "==" : "!=")}{Value}";

    [GeneratedRegex(@"^\s*(?<key>node\.(id|hostname|role|platform\.os|platform\.arch)|(node|engine)\.labels\.[A-Za-z0-9_.\-]+)\s*(?<op>==|!=)\s*(?<value>\S.*)$", RegexOptions.IgnoreCase)]
    private static partial Regex Pattern();
}

/// <summary>A Swarm node as placement and endpoints need it.</summary>
/// <param name="Address">The address its tasks answer on (its advertise address).</param>
/// <param name="Ready">True when the manager sees it up and it accepts tasks.</param>
public sealed record SwarmNode(
    string Id, string Hostname, string Role, string Os, string Arch, string Address, bool Ready,
    IReadOnlyDictionary<string, string> Labels, IReadOnlyDictionary<string, string> EngineLabels)
{
    /// <inheritdoc />
    public override string ToString() => $"{Hostname} ({Role}, {(Ready ? "ready" : "down")})";
}
