using Docker.DotNet.Models;

namespace Deploy.Engine.Plugins.Group.Swarm;

/// <summary>
/// A service as the manager describes it, with the fields an update and an observation need: its ID, name, spec and
/// version (Swarm's optimistic lock on updates). The API always sends them; an answer without them is not a service.
/// </summary>
public sealed record ObservedService(string Id, string Name, long Version, ServiceSpec Spec, UpdateStatus? UpdateStatus)
{
    /// <summary>The service's labels; empty when it has none.</summary>
    public IDictionary<string, string> Labels => Spec.Labels ?? new Dictionary<string, string>();

    /// <summary>The service <paramref name="service"/> describes; null when it lacks an ID, a name, a spec or a version.</summary>
    public static ObservedService? From(SwarmService service) =>
        service is { ID: { } id, Spec: { Name: { } name } spec, Version.Index: { } index }
            ? new ObservedService(id, name, (long)index, spec, service.UpdateStatus)
            : null;
}
