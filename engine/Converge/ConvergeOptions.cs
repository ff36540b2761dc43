namespace Deploy.Engine.Converge;

/// <summary>
/// Executor settings. MaxParallel: provisions or destroys at once (default 16). PollInterval: how often
/// quiescence is re-checked (default 1s). ExtraTags: tags added to every instance beyond the group's own.
/// </summary>
public sealed record ConvergeOptions
{
    /// <summary>Provisions or destroys run at once; default 16.</summary>
    public int MaxParallel { get; init; } = 16;

    /// <summary>How often quiescence is re-checked; default 1 second.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Tags added to every new instance (e.g. <c>deploy.app</c>, <c>deploy.colour</c>).</summary>
    public IReadOnlyDictionary<string, string> ExtraTags { get; init; } = new Dictionary<string, string>();

    /// <summary>Secret values in the spec, handed to plugins so none persists them in clear.</summary>
    public IReadOnlyCollection<string> Secrets { get; init; } = [];

    /// <summary>The spec's folder, handed to plugins for relative paths; default none (the current folder).</summary>
    public string? BaseDirectory { get; init; }
}
