namespace Deploy.Engine.Plugins;

/// <summary>
/// Optional ability of an instance plugin: every instance it describes has an <see cref="Instance.Endpoint"/> that
/// health checks, verification and address-routing proxies can reach. Checked when a spec is validated, so a plugin
/// combination that cannot work fails in <c>plan</c>, not at the flip.
/// </summary>
public interface IInstanceEndpoints
{
}

/// <summary>
/// Optional ability of an instance plugin that learns only at run time whether its instances have endpoints: an
/// external plugin, asked over its socket (Deploy's <c>/Deploy.Capabilities</c> extension). Validation treats a plugin
/// answering true as <see cref="IInstanceEndpoints"/>.
/// </summary>
public interface IMayHaveEndpoints
{
    /// <summary>Whether every instance the plugin describes has an endpoint; asked once, then remembered.</summary>
    bool HasEndpoints();
}

/// <summary>Questions about a plugin's abilities that more than one interface answers.</summary>
public static class PluginAbilities
{
    /// <summary>Whether <paramref name="plugin"/>'s instances have endpoints: declared by type, or (external plugins) by asking.</summary>
    public static bool HasEndpoints(object plugin) => plugin is IInstanceEndpoints || plugin is IMayHaveEndpoints m && m.HasEndpoints();
}

/// <summary>
/// Optional ability of a proxy plugin: it routes to instance addresses (<c>host:port</c>), so the instances behind it
/// must have endpoints. A proxy without it (<c>proxy-file</c>) records instance IDs where there is no endpoint.
/// </summary>
public interface IRoutesToAddresses
{
    /// <summary>
    /// The proxy's own URL for the app, where the engine sees a flip take effect and verifies the new colour; required
    /// for such proxies, since no flip may be judged before it is in effect.
    /// </summary>
    Uri? ProxyUrl(System.Text.Json.JsonElement? properties);
}

/// <summary>
/// Optional ability of a proxy plugin: it routes by labels, not addresses (a Kubernetes Service whose selector names
/// the live colour): it reads <see cref="Proxy.ProxyRoute.Selector"/>, so the instances behind it need no endpoints,
/// and an orchestrator's own networking reaches them. The seam for orchestrators whose tasks the deploying machine
/// cannot address; no built-in proxy has it yet.
/// </summary>
public interface IRoutesByLabels
{
}

/// <summary>
/// Optional ability of an instance plugin: each instance has a log that tells why it misbehaved, quoted when an
/// instance never becomes healthy (an app that died at start says why only there) and shown by <c>deploy logs</c>.
/// </summary>
public interface IInstanceLogs
{
    /// <summary>The last <paramref name="lines"/> lines of the instance's log, or null when it has none; also after the instance is gone. Reads only.</summary>
    Task<string?> LogTailAsync(string instanceId, int lines, CancellationToken cancellationToken);
}

/// <summary>
/// Optional ability of an instance plugin: the platform judges each instance's health itself (a container's HEALTHCHECK).
/// The engine combines it with its own HTTP checks: an instance is healthy when both agree, and one that stopped
/// running fails the wait at once. Checked when a spec is validated, like every capability.
/// </summary>
public interface IInstanceHealth
{
    /// <summary>The instance's health as its platform reports it now. Reads only; calling it twice asks twice.</summary>
    Task<InstanceHealth> HealthAsync(string instanceId, CancellationToken cancellationToken);
}

/// <summary>An instance's health as its platform reports it.</summary>
public enum InstanceHealth
{
    /// <summary>Running, and its platform's check passes.</summary>
    Healthy,

    /// <summary>Running, and its platform's check has not passed yet.</summary>
    Starting,

    /// <summary>Running, and its platform's check fails.</summary>
    Unhealthy,

    /// <summary>Running, with no platform check: only the engine's HTTP checks judge it.</summary>
    Unchecked,

    /// <summary>Exists but does not run (exited, created, dead): it cannot become healthy by waiting.</summary>
    NotRunning,

    /// <summary>No longer exists.</summary>
    Gone,
}

/// <summary>
/// Optional ability of a proxy plugin: the proxy runs where the instances are (a container on their Docker host), and
/// the engine's HTTP checks of instances and of the proxy's URL are made from there, because the deploying machine may
/// not reach either (the Action runs in its own container; a remote host's network is private).
/// </summary>
public interface IProbesFromProxy
{
    /// <summary>A probe that makes its requests where the proxy runs, or null when the proxy runs on this machine.</summary>
    Probes.IHttpProbe? Probe(Proxy.ProxyTarget target);
}

/// <summary>
/// Optional ability of an instance plugin: facts about each instance worth showing in <c>deploy status</c>, e.g. a
/// container's short ID and image. Never secrets.
/// </summary>
public interface IInstanceDetails
{
    /// <summary>Name → value for <paramref name="instanceId"/>, in display order; empty when it is gone. Reads only.</summary>
    Task<IReadOnlyList<KeyValuePair<string, string>>> DetailsAsync(string instanceId, CancellationToken cancellationToken);
}

/// <summary>
/// Optional ability of a proxy plugin: its proxy can run in a container that Deploy starts itself
/// (<c>deploy proxy boot SPEC</c>), from what the proxy's properties say to create.
/// </summary>
public interface IBootsProxy
{
    /// <summary>
    /// Starts the proxy's container when it is missing (created from the properties' <c>Boot</c>) or stopped, with
    /// the file the proxy includes holding "no colour is live" when it has none yet. Idempotent: a running container
    /// is left as it is, and the result says so. Throws <see cref="Diagnostics.DeployException"/> when it cannot.
    /// </summary>
    Task<Proxy.Container.BootResult> BootAsync(Proxy.ProxyTarget target, string app, CancellationToken cancellationToken);
}

/// <summary>
/// Optional ability of an instance plugin: get ready to provision instances with these properties (pull an image)
/// before anything is destroyed, so a spec that cannot be provisioned fails before an update touches an instance.
/// </summary>
public interface IPreparesInstances
{
    /// <summary>Makes what provisioning needs available; idempotent (a second call finds it ready). Throws what provisioning would.</summary>
    Task PrepareAsync(System.Text.Json.JsonElement? properties, IReadOnlyCollection<string> secrets, CancellationToken cancellationToken);

    /// <summary>What <see cref="PrepareAsync"/> does, as a plan sentence (e.g. <c>pulls hello:2 when the engine lacks it</c>).</summary>
    string DescribePreparation(System.Text.Json.JsonElement? properties);
}
