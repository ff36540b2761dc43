using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Deploy.Engine.Spec;

namespace Deploy.Engine.Hashing;

/// <summary>
/// InfraKit's instance config hash: SHA-1 over the canonical text of <c>Instance</c> then of <c>Flavor</c>,
/// base64 URL-safe with padding. Allocation is left out, so a size change never rolls instances.
/// </summary>
public static class ConfigHash
{
    /// <summary>
    /// The hash that tags every instance created from <paramref name="properties"/>. An orchestrated group's is taken over
    /// its <c>Orchestrator</c> section alone, the same way: what its tasks run, not how many.
    /// </summary>
    public static string Compute(GroupProperties properties) => properties.Orchestrator is { } orchestrator
        ? Hash(Canonical(WithoutCredentials(orchestrator)))
        : Compute(properties.InstanceSection, properties.FlavorSection);

    /// <summary>The hash of an instance and a flavor plugin section.</summary>
    public static string Compute(PluginSpec instance, PluginSpec flavor)
    {
        return Hash(Canonical(WithoutCredentials(instance)), Canonical(flavor));
    }

    private static string Hash(params string[] texts)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA1);
        foreach (var text in texts)
        {
            sha.AppendData(Encoding.UTF8.GetBytes(text));
        }

        return Convert.ToBase64String(sha.GetHashAndReset()).Replace('+', '-').Replace('/', '_');
    }

    /// <summary>
    /// The properties of <c>instance-docker</c> and <c>group-swarm</c> that say how to reach the engine and the registry, not what runs there:
    /// rotating a key, a certificate or a registry password must not roll every container (nor feed a hash in a label).
    /// </summary>
    public static readonly string[] DockerCredentials = ["Tls", "Ssh", "AllowPlainTcp", "RegistryAuth"];

    private static PluginSpec WithoutCredentials(PluginSpec instance)
    {
        if (instance.Plugin is not ("instance-docker" or "group-swarm") || instance.Properties is not { ValueKind: JsonValueKind.Object } properties
            || !DockerCredentials.Any(f => properties.TryGetProperty(f, out _)))
        {
            return instance;
        }

        var kept = properties.EnumerateObject().Where(p => !DockerCredentials.Contains(p.Name)).ToDictionary(p => p.Name, p => p.Value);
        return instance with { Properties = JsonSerializer.SerializeToElement(kept) };
    }

    // InfraKit marshals the struct {Plugin, Properties}; Go drops nothing, so a missing Properties is null.
    private static string Canonical(PluginSpec plugin)
    {
        var node = new Dictionary<string, object?> { ["Plugin"] = plugin.Plugin, ["Properties"] = plugin.Properties };
        using var doc = JsonDocument.Parse(JsonSerializer.SerializeToUtf8Bytes(node));
        return GoJson.MarshalIndent(doc.RootElement);
    }
}
