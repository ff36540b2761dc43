using System.Text;
using System.Text.RegularExpressions;

namespace Deploy.Engine.Plugins.Proxy.HAProxy;

/// <summary>Renders a route as an HAProxy <c>backend</c> section and reads one back.</summary>
public static partial class HAProxyBackend
{
    /// <summary>
    /// The file content for <paramref name="route"/>: the <see cref="ProxyHeader"/> line, then the backend. Health checks
    /// every 500ms (250ms once one failed) mark a server down after two failures, so one lost check does not flip traffic
    /// to the backups but a dead colour is replaced within about a second; one success brings it back. Failed requests
    /// (connection errors, empty responses, 5xx) are retried up to 3 times, on another server (redispatch).
    /// A backend without servers is valid: HAProxy answers 503.
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
        text.Append("    retries 3\n");
        text.Append("    option redispatch 1\n");
        text.Append("    timeout check 1s\n");
        text.Append("    default-server check inter 500ms fastinter 250ms downinter 500ms fall 2 rise 1\n");
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
