using Deploy.Engine.Events;

namespace Deploy.Engine.Groups;

/// <summary>
/// What every command needs: the state folder (required), the file plugin's folder (default
/// <c>&lt;state&gt;/instances</c>), parallelism (default 16) and the quiescence poll interval (default 1s).
/// </summary>
public sealed record EngineOptions(string StateDirectory)
{
    /// <summary>The file plugin's folder; null means <c>&lt;state&gt;/instances</c>.</summary>
    public string? FileDirectory { get; init; }

    /// <summary>Provisions or destroys at once.</summary>
    public int MaxParallel { get; init; } = 16;

    /// <summary>How often quiescence is re-checked.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Reads environment variables (secret values, <c>DEPLOY_VAR_*</c>); default the process environment.</summary>
    public Func<string, string?> Environment { get; init; } = System.Environment.GetEnvironmentVariable;

    /// <summary>Where progress and warnings go.</summary>
    public IDeployEvents Events { get; init; } = NullEvents.Instance;
}
