namespace Deploy.Engine.Plugins.Instance.Docker;

/// <summary>
/// The labels through which Deploy finds its containers again, with no state of its own: every tag <c>k=v</c> becomes the
/// label <c>deploy.tag.k=v</c> (so a user's own labels never read as tags), plus the plugin's marker, the logical ID,
/// the endpoint and the names of the variables that hold secrets (names only, never values).
/// </summary>
public static class ContainerLabels
{
    /// <summary>Marks a container as an instance of this plugin; its value is the plugin's name.</summary>
    public const string Plugin = "deploy.plugin";

    /// <summary>The prefix of the labels that carry tags: tag <c>deploy.group=web</c> is label <c>deploy.tag.deploy.group=web</c>.</summary>
    public const string TagPrefix = "deploy.tag.";

    /// <summary>The instance's logical ID (quorum groups), when it has one.</summary>
    public const string LogicalId = "deploy.logical-id";

    /// <summary>Where the instance answers, <c>host:port</c>; it also marks the host port as taken.</summary>
    public const string Endpoint = "deploy.endpoint";

    /// <summary>Comma-separated names of the variables whose values hold secrets, so logs can be masked later.</summary>
    public const string SecretEnv = "deploy.secret-env";

    /// <summary>The labels of a new container: the user's own, then Deploy's. Tag values have their secrets replaced by <c>***</c>.</summary>
    public static Dictionary<string, string> For(string plugin, IReadOnlyDictionary<string, string> userLabels, InstanceSpec spec,
        Instance.Endpoint endpoint, IEnumerable<string> secretEnv, Func<string, string> mask)
    {
        var labels = new Dictionary<string, string>(userLabels, StringComparer.Ordinal) { [Plugin] = plugin, [Endpoint] = endpoint.Authority };
        foreach (var (key, value) in spec.Tags)
        {
            labels[TagPrefix + key] = mask(value);
        }

        if (spec.LogicalId is { } logicalId)
        {
            labels[LogicalId] = mask(logicalId);
        }

        var names = secretEnv.Order(StringComparer.Ordinal).ToList();
        if (names.Count > 0)
        {
            labels[SecretEnv] = string.Join(',', names);
        }

        return labels;
    }

    /// <summary>The tags a container carries: its <c>deploy.tag.*</c> labels, prefix removed.</summary>
    public static Dictionary<string, string> Tags(IDictionary<string, string>? labels) =>
        (labels ?? new Dictionary<string, string>())
            .Where(l => l.Key.StartsWith(TagPrefix, StringComparison.Ordinal) && l.Key.Length > TagPrefix.Length)
            .ToDictionary(l => l.Key[TagPrefix.Length..], l => l.Value, StringComparer.Ordinal);

    /// <summary>The list filter matching this plugin's containers that carry every tag of <paramref name="tags"/>.</summary>
    public static IDictionary<string, IDictionary<string, bool>> Filter(string plugin, IReadOnlyDictionary<string, string> tags)
    {
        var labels = new Dictionary<string, bool> { [$"{Plugin}={plugin}"] = true };
        foreach (var (key, value) in tags)
        {
            labels[$"{TagPrefix}{key}={value}"] = true;
        }

        return new Dictionary<string, IDictionary<string, bool>> { ["label"] = labels };
    }

    /// <summary>The endpoint a container's labels name, or null.</summary>
    public static Instance.Endpoint? EndpointOf(IDictionary<string, string>? labels) =>
        labels is not null && labels.TryGetValue(Endpoint, out var text) ? Instance.Endpoint.TryParse(text) : null;

    /// <summary>The names of the variables holding secrets, from the container's labels.</summary>
    public static IReadOnlyList<string> SecretEnvOf(IDictionary<string, string>? labels) =>
        labels is not null && labels.TryGetValue(SecretEnv, out var names) ? names.Split(',', StringSplitOptions.RemoveEmptyEntries) : [];
}
