using System.Collections.Concurrent;
using Deploy.Engine.Diagnostics;
using Deploy.Engine.Docker;

namespace Deploy.Engine.Plugins.Instance.Docker;

/// <summary>
/// The engines the plugin looks at when a call names no engine: describe, destroy, logs and health carry only tags or an
/// instance ID. They are the engines the specs validated or provisioned in this process named (every command loads and
/// validates its spec first), else the default one (<c>DOCKER_HOST</c>, else the default socket). Addresses only: what
/// runs there is always read from the engine.
/// </summary>
internal sealed class KnownEngines(Func<string, string?> environment)
{
    private readonly ConcurrentDictionary<string, DockerHostAddress> _named = new(StringComparer.Ordinal);

    /// <summary>Adds <paramref name="host"/>; adding it again changes nothing.</summary>
    public void Remember(DockerHostAddress host) => _named.TryAdd(host.ToString(), host);

    /// <summary>The engines named so far, else the default one; an unusable <c>DOCKER_HOST</c> throws (exit 2).</summary>
    public IReadOnlyList<DockerHostAddress> All()
    {
        if (!_named.IsEmpty)
        {
            return _named.Values.OrderBy(h => h.ToString(), StringComparer.Ordinal).ToList();
        }

        var bag = new DiagnosticBag();
        var host = DockerHostAddress.Resolve(null, "DOCKER_HOST", bag, environment);
        bag.ThrowIfErrors();
        return [host!];
    }
}
