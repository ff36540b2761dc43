using System.Text;
using System.Text.RegularExpressions;

namespace Deploy.Engine.Plugins.Proxy.Nginx;

/// <summary>Renders a route as an nginx <c>upstream</c> block and reads one back.</summary>
public static partial class NginxUpstream
{
    // Port 9 (discard) marked down: nginx refuses an upstream without servers, and "down" keeps it from ever being tried.
    private const string Placeholder = "127.0.0.1:9";

    /// <summary>
    /// The file content for <paramref name="route"/>: the <see cref="ProxyHeader"/> line, then the upstream block.
    /// With backups (the verified standby colour) the live servers get <c>max_fails=1 fail_timeout=10s</c>: the first
    /// request nginx counts as failed on a live server (an error, a timeout or a 5xx named in
    /// <c>proxy_next_upstream</c>, in practice a GET, since a POST is never passed on) shuns that server for 10s, and once
    /// every live server is shunned the backups take all traffic, POSTs included. Without it a POST reaching a version
    /// that started failing after the flip gets its 500, and so does its retry, until the engine rolls back: nginx never
    /// passes a POST it already sent to the next server (and must not: <c>non_idempotent</c> would replay it). The price:
    /// one failed GET takes a live server out of rotation for 10s, and when that was the last one the standby's older
    /// version answers meanwhile. Without backups there is nothing to fall back to, so <c>max_fails=0</c> keeps every
    /// server in rotation and the engine, not nginx's passive checks, decides which colour serves. Backups always have
    /// <c>max_fails=0</c>: they are the last resort.
    /// </summary>
    public static string Render(string upstream, ProxyRoute route, IReadOnlyList<string> servers, IReadOnlyList<string> backups)
    {
        var text = new StringBuilder();
        text.Append(ProxyHeader.Format(route)).Append('\n');
        text.Append("# Written by deploy (proxy-nginx); edits are overwritten at the next flip.\n");
        text.Append($"upstream {upstream} {{\n");
        // Server state (failure counts) shared by every worker: with several workers, a failing live server is shunned
        // after its first failed request in any of them, not once per worker.
        text.Append($"    zone deploy_{upstream} 64k;\n");
        if (servers.Count == 0)
        {
            text.Append($"    server {Placeholder} down; # no live colour\n");
        }

        var live = backups.Count > 0 ? "max_fails=1 fail_timeout=10s" : "max_fails=0";
        foreach (var server in servers)
        {
            text.Append($"    server {server} {live};\n");
        }

        foreach (var backup in backups)
        {
            text.Append($"    server {backup} max_fails=0 backup;\n");
        }

        // Idle connections kept per worker; needs proxy_http_version 1.1 and an empty Connection header in the location.
        text.Append("    keepalive 16;\n");
        text.Append("}\n");
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
            var parameters = m.Groups["params"].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parameters.Contains("down"))
            {
                continue;
            }

            (parameters.Contains("backup") ? backups : servers).Add(m.Groups["address"].Value);
        }

        return new ProxyRoute(header.App, header.Colour, header.ConfigHash, servers, backups);
    }

    [GeneratedRegex(@"^[ \t]*server[ \t]+(?<address>[^\s;]+)(?<params>[^;\n]*);", RegexOptions.Multiline)]
    private static partial Regex ServerLine();
}
