using Deploy.Engine.Diagnostics;
using Deploy.Engine.Events;
using Deploy.Engine.Groups;

namespace Deploy.Engine.Plugins.Server;

/// <summary>
/// The engine's side of <c>deploy plugin serve</c>, free of any transport: InfraKit's plugin protocol over Deploy's built-in
/// plugins. One socket per plugin, named after it (<c>instance-file</c>, <c>flavor-vanilla</c>, ...), and <c>group</c> for
/// Deploy's group service, as InfraKit's default group plugin is addressed. A face hands each request's socket name, path
/// and body to <see cref="HandleAsync"/> and sends back the status and body it returns.
/// </summary>
public sealed class PluginDispatcher
{
    /// <summary>The socket name of the group plugin: InfraKit's CLI addresses its default group plugin by this name.</summary>
    public const string GroupSocket = "group";

    private readonly Dictionary<string, IPluginMethods> _sockets = new(StringComparer.Ordinal);
    private readonly IDeployEvents _events;

    /// <summary>A dispatcher over <paramref name="groups"/> and every instance and flavor plugin of its registry.</summary>
    public PluginDispatcher(GroupService groups, IDeployEvents events)
    {
        _events = events;
        foreach (var (name, kind) in groups.Plugins.List().Where(p => p.Listen is null).Select(p => (p.Name, p.Kind)))
        {
            // Group (orchestrator) and proxy plugins have no InfraKit socket of this era; they stay Deploy's own.
            IPluginMethods? methods = kind switch
            {
                "instance" => new InstanceMethods(groups.Plugins.Instance(name)),
                "flavor" => new FlavorMethods(groups.Plugins.Flavor(name)),
                _ => null,
            };
            if (methods is not null)
            {
                _sockets[name] = methods;
            }
        }

        _sockets[GroupSocket] = new GroupMethods(groups);
    }

    /// <summary>Every socket name to listen on, sorted.</summary>
    public IReadOnlyList<string> Sockets => _sockets.Keys.Order(StringComparer.Ordinal).ToList();

    /// <summary>
    /// Answers one request to socket <paramref name="socket"/> for <paramref name="path"/> (e.g. <c>/Instance.Destroy/instance-12</c>):
    /// 200 with the result, 400 with <c>{"error": ...}</c> for Deploy's diagnostics, 404 for a path the plugin has no
    /// method for, 500 with the same envelope when something fails unexpectedly. Never throws, except on cancellation.
    /// </summary>
    public async Task<PluginResponse> HandleAsync(string socket, string path, byte[] body, CancellationToken cancellationToken)
    {
        if (!_sockets.TryGetValue(socket, out var methods))
        {
            return PluginResponse.Error(404, $"no plugin socket named '{socket}'; this server has {string.Join(", ", Sockets)}");
        }

        var (method, id) = Split(path);
        try
        {
            return await methods.CallAsync(method, id, body, cancellationToken)
                ?? PluginResponse.Error(404, $"plugin '{socket}' has no method {path}; it answers POST /{string.Join(", /", methods.Methods)}");
        }
        catch (DeployException e)
        {
            return PluginResponse.Error(e);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The server is stopping (SIGINT/SIGTERM): the method was cut short as Ctrl-C cuts a command short.
            return PluginResponse.Error(PluginResponse.HandlerFailed,
                $"the plugin server stopped while {method} ran; what was live stays live, send it again once the server is back");
        }
        catch (Exception e)
        {
            // InfraKit answers a panic with 500 and the same envelope; the stack goes to the server's own log, never to the caller.
            var failure = new Diagnostic(Errors.OperationFailed,
                $"{socket} {method} failed unexpectedly: {e.Message.Split('\n')[0]}; what was live stays live; the plugin server's log has the details, try again");
            _events.Warn(failure with { Code = Errors.OperationFailed with { Severity = Severity.Warning } });
            _events.Info(e.ToString());
            return PluginResponse.Error(PluginResponse.HandlerFailed, failure.ToString());
        }
    }

    // "/Instance.Destroy/instance-12" is method "Instance.Destroy" with ID "instance-12"; the ID is the rest of the path, raw.
    private static (string Method, string? Id) Split(string path)
    {
        var trimmed = path.TrimStart('/');
        var slash = trimmed.IndexOf('/');
        return slash < 0 ? (trimmed, null) : (trimmed[..slash], trimmed[(slash + 1)..]);
    }
}
