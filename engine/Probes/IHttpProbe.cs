namespace Deploy.Engine.Probes;

/// <summary>
/// Makes one HTTP GET from a vantage point that reaches the instances: this machine, or a container Deploy controls on
/// the instances' Docker host (the deploying process may run elsewhere: in the Action's own container, or far away).
/// Every call opens a fresh connection, so no probe rides on a connection that a reload is about to close.
/// </summary>
public interface IHttpProbe
{
    /// <summary>Where the probes are made from, for messages (e.g. <c>this machine</c>, <c>container proxy-nginx</c>).</summary>
    string Where { get; }

    /// <summary>One GET of <paramref name="url"/>: its status and trimmed body, or why there was no answer. Never throws for an unreachable URL.</summary>
    Task<ProbeResult> GetAsync(string url, TimeSpan timeout, CancellationToken cancellationToken);
}

/// <summary>One probe's answer: status 0 with Error when there was no HTTP answer.</summary>
public sealed record ProbeResult(int Status, string Body, string? Error)
{
    /// <summary>True for a 2xx answer.</summary>
    public bool IsSuccess => Status is >= 200 and < 300;

    /// <summary>An answer's body as probes keep it: trimmed, at most 200 characters.</summary>
    public static string Clip(string body)
    {
        body = body.Trim();
        return body.Length > 200 ? body[..200] : body;
    }

    public override string ToString() => Error is not null ? $"no HTTP answer ({Error})" : $"{Status} \"{Body}\"";
}
