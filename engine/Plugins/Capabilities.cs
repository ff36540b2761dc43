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
/// Optional ability of an instance plugin: each instance has a log that tells why it misbehaved, quoted when an
/// instance never becomes healthy (an app that died at start says why only there).
/// </summary>
public interface IInstanceLogs
{
    /// <summary>The last <paramref name="lines"/> lines of the instance's log, or null when it has none; also after the instance is gone. Reads only.</summary>
    string? LogTail(string instanceId, int lines);
}
