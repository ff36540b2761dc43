namespace Deploy.Engine.Plugins.Proxy.Container;

/// <summary>What <c>deploy proxy boot</c> did to the proxy's container.</summary>
public enum BootOutcome
{
    /// <summary>The container was missing: it was created (its image pulled when needed) and started.</summary>
    Created,

    /// <summary>The container existed and was stopped: it was started.</summary>
    Started,

    /// <summary>The container was already running: nothing was changed.</summary>
    AlreadyRunning,
}

/// <summary>The outcome of booting a proxy's container, with one sentence per step taken, in order.</summary>
/// <param name="Container">The container's name.</param>
/// <param name="Host">The Docker engine it runs on.</param>
/// <param name="Outcome">What was done.</param>
/// <param name="Steps">Each step as a sentence, for the faces to print.</param>
public sealed record BootResult(string Container, string Host, BootOutcome Outcome, IReadOnlyList<string> Steps)
{
    /// <summary>One line: what was done, and where.</summary>
    public string Summary => Outcome switch
    {
        BootOutcome.Created => $"proxy container {Container} created and started on {Host}",
        BootOutcome.Started => $"proxy container {Container} started on {Host}",
        _ => $"proxy container {Container} is already running on {Host}; nothing changed",
    };
}

/// <summary>The file the proxy includes and what it holds before the first flip ("no colour is live").</summary>
public sealed record ProxyBootFile(string Path, byte[] Content);
