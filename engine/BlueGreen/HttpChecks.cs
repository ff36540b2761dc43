using System.Diagnostics;
using Deploy.Engine.Apps;
using Deploy.Engine.Diagnostics;
using Deploy.Engine.Events;
using Deploy.Engine.Groups;
using Deploy.Engine.Probes;
using Deploy.Engine.Spec;

namespace Deploy.Engine.BlueGreen;

/// <summary>
/// HTTP probes and verification against instances and the proxy, made through one <see cref="IHttpProbe"/>: from this
/// machine, or from where the proxy runs. Each probe opens a fresh connection.
/// </summary>
public sealed class HttpChecks(IHttpProbe probe)
{
    /// <summary>Where the probes are made from, for messages.</summary>
    public string Where => probe.Where;

    /// <summary>One GET: the status code and trimmed body, or the error that prevented an answer.</summary>
    public Task<ProbeResult> ProbeAsync(string url, TimeSpan timeout, CancellationToken cancellationToken) =>
        probe.GetAsync(url, timeout, cancellationToken);

    /// <summary>Checks each instance directly; throws naming the first that does not answer as Verify requires.</summary>
    public async Task VerifyEachAsync(string colour, IReadOnlyList<MemberView> members, VerifySpec verify, CancellationToken cancellationToken)
    {
        foreach (var m in members)
        {
            var result = await ProbeAsync(m.Endpoint!.Url(verify.Path), TimeSpan.FromSeconds(5), cancellationToken);
            if (Mismatch(result, verify) is { } why)
            {
                throw new DeployException(Errors.Refused,
                    $"verify failed on {colour} instance {m.Id} ({m.Endpoint}): GET {verify.Path} {why}; the live colour was not touched");
            }
        }
    }

    /// <summary>
    /// Requests <paramref name="url"/> through the proxy for <see cref="VerifySpec.Duration"/>; returns the first failure
    /// (after one retry on a fresh connection), or null when every response was as expected.
    /// </summary>
    public async Task<string?> VerifyThroughProxyAsync(string url, VerifySpec verify, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var target = url.TrimEnd('/') + verify.Path;
        var count = 0;
        while (clock.Elapsed < verify.Duration)
        {
            var result = await ProbeAsync(target, TimeSpan.FromSeconds(5), cancellationToken);
            if (Mismatch(result, verify) is not null)
            {
                result = await ProbeAsync(target, TimeSpan.FromSeconds(5), cancellationToken);
            }

            if (Mismatch(result, verify) is { } why)
            {
                return $"GET {target} {why} after {clock.ElapsedMilliseconds} ms ({count} good responses before)";
            }

            count++;
            await Task.Delay(50, cancellationToken);
        }

        return null;
    }

    /// <summary>Why a response does not satisfy <paramref name="verify"/>, or null when it does.</summary>
    public static string? Mismatch(ProbeResult result, VerifySpec verify) =>
        !result.IsSuccess ? $"answered {result}"
        : verify.Expect is { } expect && result.Body != expect.Trim() ? $"answered \"{result.Body}\", expected \"{expect.Trim()}\""
        : verify.Contains is { } contains && !result.Body.Contains(contains, StringComparison.Ordinal) ? $"answered \"{result.Body}\", which does not contain \"{contains}\""
        : null;
}
