using System.Globalization;
using System.Text.RegularExpressions;
using Deploy.Engine.Docker;
using Deploy.Engine.Spec;

namespace Deploy.Engine.Probes;

/// <summary>
/// An HTTP client that a container may have, as argv for one GET and the parse of what it printed: curl, GNU wget or
/// busybox wget. Each request opens its own connection and follows no redirect (busybox wget follows them: it has no
/// option to stop) and ignores proxy variables, like <see cref="LocalHttpProbe"/>.
/// </summary>
public abstract partial record ProbeTool(string Name)
{
    /// <summary>curl: the body, then the status on a line of its own.</summary>
    public static readonly ProbeTool Curl = new CurlTool();

    /// <summary>GNU wget: the body on stdout (also for errors), the response headers on stderr.</summary>
    public static readonly ProbeTool GnuWget = new WgetTool(Gnu: true, Timeout: true);

    /// <summary>busybox wget with or without <c>-T</c> (a build option): the body of a 2xx answer, the headers on stderr.</summary>
    public static ProbeTool BusyboxWget(bool timeout) => new WgetTool(Gnu: false, timeout);

    /// <summary>The argv for one GET of <paramref name="url"/> that gives up after <paramref name="timeout"/>.</summary>
    public abstract IReadOnlyList<string> Argv(string url, TimeSpan timeout);

    /// <summary>What the command's output says: the status and body, or why there was no answer.</summary>
    public abstract ProbeResult Parse(ExecResult result, TimeSpan timeout);

    /// <summary>Which tool <c>wget --help</c>'s output describes.</summary>
    public static ProbeTool Wget(string help) =>
        help.Contains("GNU Wget", StringComparison.Ordinal) ? GnuWget : BusyboxWget(help.Contains("-T SEC", StringComparison.Ordinal));

    /// <summary>True when the exec could not start the program because the image has no such file.</summary>
    public static bool Missing(ExecResult result) =>
        result.ExitCode is 126 or 127 && (result.Stdout + result.Stderr) is var text &&
        (text.Contains("not found", StringComparison.OrdinalIgnoreCase) || text.Contains("no such file", StringComparison.OrdinalIgnoreCase));

    /// <summary>The sentence for a request that gave up at <paramref name="timeout"/>, as <see cref="LocalHttpProbe"/> says it.</summary>
    public static string TimedOut(TimeSpan timeout) => $"no answer within {Duration.Format(timeout)}";

    private static string Seconds(TimeSpan timeout) => Math.Max(timeout.TotalSeconds, 0.001).ToString("0.###", CultureInfo.InvariantCulture);

    private static string LastLine(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "";

    private sealed record CurlTool() : ProbeTool("curl")
    {
        public override IReadOnlyList<string> Argv(string url, TimeSpan timeout) =>
            ["curl", "-sS", "-o", "-", "-w", "\\n%{http_code}", "--noproxy", "*", "--max-time", Seconds(timeout), url];

        // Exit 28 is curl's timeout; any other failure explains itself on stderr (-S), and the status line reads 000.
        public override ProbeResult Parse(ExecResult result, TimeSpan timeout)
        {
            if (result.ExitCode == 28)
            {
                return new ProbeResult(0, "", TimedOut(timeout));
            }

            var cut = result.Stdout.LastIndexOf('\n');
            if (!result.Succeeded || cut < 0 || !int.TryParse(result.Stdout[(cut + 1)..].Trim(), CultureInfo.InvariantCulture, out var status) || status == 0)
            {
                return new ProbeResult(0, "", LastLine(result.Stderr) is { Length: > 0 } why ? why : $"curl exited {result.ExitCode}");
            }

            return new ProbeResult(status, ProbeResult.Clip(result.Stdout[..cut]), null);
        }
    }

    private sealed record WgetTool(bool Gnu, bool Timeout) : ProbeTool(Gnu ? "wget (GNU)" : "wget (busybox)")
    {
        public override IReadOnlyList<string> Argv(string url, TimeSpan timeout) => Gnu
            ? ["wget", "-nv", "-S", "-O", "-", "--tries=1", $"--timeout={Seconds(timeout)}", "--max-redirect=0", "--content-on-error", "--no-proxy", url]
            : ["wget", "-q", "-S", "-O", "-", "-Y", "off", .. Timeout ? new[] { "-T", ((int)Math.Ceiling(timeout.TotalSeconds)).ToString(CultureInfo.InvariantCulture) } : [], url];

        // wget exits non-zero for a 4xx/5xx answer too: the status line it printed (-S) is what counts. Busybox prints
        // no body for those.
        public override ProbeResult Parse(ExecResult result, TimeSpan timeout)
        {
            var status = StatusLine().Matches(result.Stderr).LastOrDefault();
            if (status is null)
            {
                var why = LastLine(result.Stderr);
                return new ProbeResult(0, "", why.Contains("timed out", StringComparison.OrdinalIgnoreCase) ? TimedOut(timeout)
                    : why.Length > 0 ? why : $"wget exited {result.ExitCode}");
            }

            return new ProbeResult(int.Parse(status.Groups["code"].Value, CultureInfo.InvariantCulture), ProbeResult.Clip(result.Stdout), null);
        }
    }

    [GeneratedRegex(@"^\s*HTTP/[0-9.]+\s+(?<code>[0-9]{3})", RegexOptions.Multiline)]
    private static partial Regex StatusLine();
}
