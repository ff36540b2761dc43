using System.Text.RegularExpressions;
using Deploy.Engine.Diagnostics;

namespace Deploy.Engine.Plugins.Proxy;

/// <summary>
/// Turns a route's endpoints into the <c>host:port</c> form proxies take, refusing anything that could break out of a
/// configuration line (spaces, <c>;</c>, <c>#</c>, braces, newlines).
/// </summary>
public static partial class ServerAddress
{
    /// <summary>
    /// <paramref name="endpoint"/> as <c>host:port</c>: a leading <c>http://</c> and a trailing <c>/</c> are dropped.
    /// Throws <see cref="DeployException"/> (<see cref="Errors.PluginFailed"/>) naming the plugin when it is not an address.
    /// </summary>
    public static string Normalize(string endpoint, string plugin)
    {
        var address = endpoint.Trim();
        if (address.StartsWith("http://", StringComparison.OrdinalIgnoreCase))
        {
            address = address["http://".Length..].TrimEnd('/');
        }

        if (!HostPort().IsMatch(address))
        {
            throw new DeployException(Errors.PluginFailed,
                $"{plugin}: the endpoint \"{endpoint}\" is not host:port (e.g. 127.0.0.1:8080); give the instances endpoints the proxy can reach");
        }

        return address;
    }

    [GeneratedRegex(@"^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+):[0-9]{1,5}$")]
    private static partial Regex HostPort();
}
