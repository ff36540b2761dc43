using System.Security.Cryptography;
using System.Text;

namespace Deploy.Engine.Docker.Ssh;

/// <summary>
/// Whether a host key offered by an SSH server is the one the user trusts, as OpenSSH's StrictHostKeyChecking=yes
/// decides it: listed for that host in known_hosts (plain, wildcard or hashed names; <c>@revoked</c> refuses), or equal
/// to a pinned <c>SHA256:</c> fingerprint. Never trusts an unknown key: the refusal says which fingerprint to pin.
/// </summary>
public static class HostKeyCheck
{
    /// <summary>The OpenSSH fingerprint of a key blob: <c>SHA256:</c> and unpadded base64.</summary>
    public static string Fingerprint(byte[] keyBlob) => "SHA256:" + Convert.ToBase64String(SHA256.HashData(keyBlob)).TrimEnd('=');

    /// <summary>
    /// Null when <paramref name="keyBlob"/> (of type <paramref name="keyType"/>) is trusted for <paramref name="target"/>,
    /// else the sentence that says why not and how to trust it.
    /// </summary>
    public static string? Refusal(SshTarget target, string keyType, byte[] keyBlob)
    {
        var fingerprint = Fingerprint(keyBlob);
        var offered = $"{keyType} {fingerprint}";
        var pin = $"pin it with \"Ssh\": {{\"HostKey\": \"{fingerprint}\"}}, or add the line 'ssh-keyscan -p {target.Port} {target.Host}' prints to the known_hosts file after checking it on the host itself (ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub)";
        string[] lines;
        string source;
        if (target.HostKey is { } pinned)
        {
            if (pinned.Trim().StartsWith("SHA256:", StringComparison.Ordinal))
            {
                return Same(pinned.Trim(), fingerprint) ? null
                    : $"the host key of {target.KnownHostsName} ({offered}) is not the pinned Ssh.HostKey; if the host's key was changed on purpose, pin the new one; otherwise someone may be in between";
            }

            lines = pinned.Split('\n');
            source = "Ssh.HostKey";
        }
        else
        {
            source = target.KnownHosts!;
            try
            {
                lines = File.ReadAllLines(source);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return $"the host key of {target.KnownHostsName} ({offered}) cannot be checked: {source} cannot be read ({e.Message}); {pin}";
            }
        }

        var blob = Convert.ToBase64String(keyBlob);
        var listedOtherwise = false;
        var otherTypes = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var entry in lines.Select(Entry.Parse).OfType<Entry>().Where(e => e.Names(target.KnownHostsName)))
        {
            if (entry.Type == keyType && entry.Blob == blob)
            {
                return entry.Marker == "@revoked" ? $"the host key of {target.KnownHostsName} ({offered}) is marked @revoked in {source}" : null;
            }

            if (entry.Marker is null && entry.Type == keyType)
            {
                listedOtherwise = true;
            }
            else if (entry.Marker is null)
            {
                otherTypes.Add(entry.Type);
            }
        }

        if (!listedOtherwise && otherTypes.Count > 0)
        {
            return $"{source} lists only {string.Join(", ", otherTypes)} keys for {target.KnownHostsName}, and it offered {offered}; add its {keyType} line ({pin})";
        }

        return listedOtherwise
            ? $"the host key of {target.KnownHostsName} ({offered}) does not match the key {source} lists for it: someone may be in between, or the host was reinstalled; if you checked that the new key is right, replace its line ({pin})"
            : $"the host {target.KnownHostsName} is not in {source}, and unknown hosts are refused; its key is {offered}: {pin}";
    }

    private static bool Same(string pinned, string fingerprint) =>
        string.Equals(pinned.TrimEnd('='), fingerprint, StringComparison.Ordinal);

    private sealed record Entry(string? Marker, string Patterns, string Type, string Blob)
    {
        public static Entry? Parse(string line)
        {
            var fields = line.Trim().Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length == 0 || fields[0].StartsWith('#'))
            {
                return null;
            }

            var marker = fields[0].StartsWith('@') ? fields[0] : null;
            var rest = marker is null ? fields : fields[1..];
            return rest.Length >= 3 ? new Entry(marker, rest[0], rest[1], rest[2]) : null;
        }

        // A comma list of names, wildcards (* ?), negations (!) and hashed names (|1|salt|hmac).
        public bool Names(string host)
        {
            if (Patterns.StartsWith("|1|", StringComparison.Ordinal))
            {
                var parts = Patterns.Split('|');
                if (parts.Length != 4)
                {
                    return false;
                }

                try
                {
                    var hash = HMACSHA1.HashData(Convert.FromBase64String(parts[2]), Encoding.UTF8.GetBytes(host));
                    return Convert.ToBase64String(hash) == parts[3];
                }
                catch (FormatException)
                {
                    return false;
                }
            }

            var matched = false;
            foreach (var pattern in Patterns.Split(','))
            {
                var negated = pattern.StartsWith('!');
                if (Glob(negated ? pattern[1..] : pattern, host))
                {
                    if (negated)
                    {
                        return false;
                    }

                    matched = true;
                }
            }

            return matched;
        }

        private static bool Glob(string pattern, string text) =>
            System.Text.RegularExpressions.Regex.IsMatch(text,
                "^" + System.Text.RegularExpressions.Regex.Escape(pattern).Replace(@"\*", ".*").Replace(@"\?", ".") + "$",
                System.Text.RegularExpressions.RegexOptions.IgnoreCase);
    }
}
