using System.Text.Json;
using Deploy.Engine.Diagnostics;
using Deploy.Engine.Plugins.Proxy;

namespace Deploy.Engine.Plugins.Socket;

/// <summary>
/// An external proxy plugin reached over its unix socket, through Deploy's own endpoints (InfraKit 2016 had no proxy
/// API): <c>/Proxy.Validate</c> (the properties), <c>/Proxy.Current</c> (<c>{"Properties", "BaseDirectory"}</c> → a
/// route or <c>null</c>) and <c>/Proxy.Apply</c> (<c>{"Properties", "BaseDirectory", "Route"}</c>). A route is
/// <c>{"App", "Colour", "ConfigHash", "Servers", "Backups"}</c>. It routes to whatever <c>Servers</c> holds: endpoints
/// where instances have them, else instance IDs, like <c>proxy-file</c>; so it declares no address routing.
/// </summary>
public sealed class SocketProxyPlugin(string name, string socketPath) : IProxyPlugin, IDisposable
{
    private readonly SocketRpc _rpc = new(name, socketPath);

    public string Name => _rpc.Plugin;

    public string Description => "Deploy proxy plugin over its socket";

    public IEnumerable<Diagnostic> Validate(JsonElement? properties, string path) =>
        SocketValidation.Run(_rpc, "/Proxy.Validate", properties ?? SocketValidation.Null, path);

    /// <summary><c>/Proxy.Current</c>: the route the proxy serves now, from its own configuration; null before the first flip.</summary>
    public async Task<ProxyRoute?> CurrentAsync(ProxyTarget target, CancellationToken cancellationToken)
    {
        const string path = "/Proxy.Current";
        var route = await _rpc.CallAsync<WireRoute>(path, new WireProxyTarget(target.Properties, target.BaseDirectory), SocketRpc.Quick, cancellationToken);
        if (route is null)
        {
            return null;
        }

        return route.App is { Length: > 0 } app
            ? new ProxyRoute(app, route.Colour, route.ConfigHash, route.Servers ?? [], route.Backups ?? [])
            : throw _rpc.Failed(path, "answered a route without App", "answer null before the first flip, else the route last applied; fix the plugin");
    }

    /// <summary>
    /// <c>/Proxy.Apply</c>, within <see cref="SocketRpc.Apply"/>. The plugin must restore its previous configuration
    /// itself when it fails, and answer the error; applying the same route twice must be harmless.
    /// </summary>
    public async Task ApplyAsync(ProxyTarget target, ProxyRoute route, CancellationToken cancellationToken)
    {
        var wire = new WireRoute(route.App, route.Colour, route.ConfigHash, route.Servers, route.Backups);
        await _rpc.CallAsync<JsonElement?>("/Proxy.Apply", new WireProxyApply(target.Properties, target.BaseDirectory, wire), SocketRpc.Apply, cancellationToken);
    }

    public void Dispose() => _rpc.Dispose();
}
