using Deploy.Engine.Diagnostics;
using Deploy.Engine.Docker;

namespace Deploy.Engine.Probes;

/// <summary>
/// Probes from inside a container (the proxy's, on the instances' Docker host) through the exec API: each GET is one
/// run of curl, or of wget when the image has no curl, as argv. Which of them the image has is asked once per probe.
/// </summary>
public sealed class ContainerHttpProbe(DockerEngines engines, DockerHostAddress host, string container) : IHttpProbe
{
    // The tool's own timeout ends a request; this bounds an exec that outlives it (busybox wget may have no -T).
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(2);

    private ProbeTool? _tool;

    /// <inheritdoc />
    public string Where => $"container {container}";

    /// <summary>One GET made inside the container. Throws <see cref="DeployException"/> when the container has neither curl nor wget.</summary>
    public async Task<ProbeResult> GetAsync(string url, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var tool = _tool ??= await DetectAsync(cancellationToken);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout + Grace);
        try
        {
            return tool.Parse(await ExecAsync($"probing {url}", tool.Argv(url, timeout), limit.Token), timeout);
        }
        catch (OperationCanceledException) when (limit.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return new ProbeResult(0, "", ProbeTool.TimedOut(timeout));
        }
    }

    // curl first: it reports status and body of every answer. An exec of a program the image lacks fails to start.
    private async Task<ProbeTool> DetectAsync(CancellationToken cancellationToken)
    {
        var curl = await ExecAsync("looking for curl", ["curl", "--version"], cancellationToken);
        if (!ProbeTool.Missing(curl))
        {
            return ProbeTool.Curl;
        }

        var wget = await ExecAsync("looking for wget", ["wget", "--help"], cancellationToken);
        if (!ProbeTool.Missing(wget))
        {
            return ProbeTool.Wget(wget.Stdout + wget.Stderr);
        }

        throw new DeployException(Errors.PluginFailed,
            $"the container {container} on the Docker engine at {host} has neither curl nor wget: Deploy makes its HTTP checks of the instances " +
            "and of the proxy from inside the proxy's container (it never assumes the app's image has a shell or curl), so the proxy's image " +
            "must have curl or wget; use an image that has one, or add it (e.g. apt-get install curl)");
    }

    private Task<ExecResult> ExecAsync(string doing, IReadOnlyList<string> argv, CancellationToken cancellationToken) =>
        engines.RunAsync(host, $"{doing} from container {container}", client => ContainerExec.RunAsync(client, container, argv, cancellationToken), cancellationToken);
}
