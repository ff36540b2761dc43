using System.Text;
using System.Text.RegularExpressions;

namespace Deploy.Engine.Plugins.Proxy.HAProxy;

/// <summary>Renders a route as an HAProxy <c>backend</c> section and reads one back.</summary>
public static partial class HAProxyBackend
{
    /// <summary>
    /// The file content for <paramref name="route"/>: the <see cref="ProxyHeader"/> line, then the backend. Health checks
    /// every 500ms (250ms once one failed) mark a server down after two failures and one success brings it back. Live
    /// responses are watched too (<c>observe layer7</c>): the first 5xx a server answers marks it down at once
    /// (<c>error-limit 1</c>, <c>on-error mark-down</c>), so a version that starts failing after the flip loses its
    /// traffic to the other live servers and then to the backups (the standby colour) within one request, not within
    /// two health checks. The price: an app that answers 5xx for one bad request also leaves the rotation until its
    /// next passing check (about 500ms). A request that failed (connection error, empty or broken response, 5xx) is
    /// retried up to 3 times on another server (<c>option redispatch 1</c>), but only for GET, HEAD and OPTIONS:
    /// <c>http-request disable-l7-retry</c> keeps every other method to the connection-failure retries, which never
    /// sent it, because the server may already have applied it. A backend without servers is valid: HAProxy answers 503.
    /// </summary>
    public static string Render(string backend, string healthPath, ProxyRoute route, IReadOnlyList<string> servers, IReadOnlyList<string> backups)
    {
        var text = new StringBuilder();
        text.Append(ProxyHeader.Format(route)).Append('\n');
        text.Append("# Written by deploy (proxy-haproxy); edits are overwritten at the next flip.\n");
        text.Append($"backend {backend}\n");
        text.Append("    mode http\n");
        text.Append($"    option httpchk GET {healthPath}\n");
        text.Append("    http-check expect status 200\n");
        text.Append("    retry-on all-retryable-errors\n");
        // A request that reached a server may have been applied: only safe methods are sent again after that.
        text.Append("    http-request disable-l7-retry unless METH_GET || METH_HEAD || METH_OPTIONS\n");
        text.Append("    retries 3\n");
        text.Append("    option redispatch 1\n");
        text.Append("    timeout check 1s\n");
        text.Append("    default-server check inter 500ms fastinter 250ms downinter 500ms fall 2 rise 1 observe layer7 error-limit 1 on-error mark-down\n");
        for (var i = 0; i < servers.Count; i++)
        {
            text.Append($"    server live{i + 1} {servers[i]}\n");
        }

        for (var i = 0; i < backups.Count; i++)
        {
            text.Append($"    server backup{i + 1} {backups[i]} backup\n");
        }

        return text.ToString();
    }

    /// <summary>The route recorded in <paramref name="text"/>; null when it has no <see cref="ProxyHeader"/> line.</summary>
    public static ProxyRoute? Parse(string text)
    {
        if (ProxyHeader.Parse(text) is not { } header)
        {
            return null;
        }

        var servers = new List<string>();
        var backups = new List<string>();
        foreach (Match m in ServerLine().Matches(text))
        {
            var parameters = m.Groups["params"].Value.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (parameters.Contains("disabled"))
            {
                continue;
            }

            (parameters.Contains("backup") ? backups : servers).Add(m.Groups["address"].Value);
        }

        return new ProxyRoute(header.App, header.Colour, header.ConfigHash, servers, backups);
    }

    [GeneratedRegex(@"^[ \t]*server[ \t]+\S+[ \t]+(?<address>\S+)(?<params>[^\n#]*)", RegexOptions.Multiline)]
    private static partial Regex ServerLine();
}
