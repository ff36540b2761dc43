namespace Deploy.Engine.BlueGreen;

/// <summary>Why a blue/green command ended where it did; shown to users and mapped to exit codes.</summary>
public enum DeployOutcome
{
    /// <summary>The new version is live.</summary>
    Flipped,
    /// <summary>The live colour already runs exactly this configuration.</summary>
    Noop,
    /// <summary>The idle colour is ready and verified; --no-flip stopped before the flip.</summary>
    ReadyNotFlipped,
    /// <summary>The idle colour failed to converge, become healthy or verify; the live colour was untouched.</summary>
    IdleFailed,
    /// <summary>The BeforeFlip hook failed; nothing was flipped.</summary>
    BeforeFlipFailed,
    /// <summary>The new version failed after the flip and traffic was flipped back.</summary>
    RolledBack,
}

/// <summary>One step of a command with how long it took and what it found.</summary>
public sealed record StepReport(string Name, TimeSpan Duration, string Detail);

/// <summary>
/// The result every face renders: the app, which colour is live before and after, the version, whether anything
/// changed, the plan lines, each step's duration, and one line saying how it ended.
/// </summary>
public sealed record DeployResult(
    string App,
    DeployOutcome Outcome,
    string? PreviousColour,
    string? LiveColour,
    string? Version,
    bool Changed,
    IReadOnlyList<string> Plan,
    IReadOnlyList<StepReport> Steps,
    string Summary)
{
    /// <summary>The colour the command deployed or flipped to (the plan's target); null when it had none.</summary>
    public string? Target { get; init; }

    /// <summary>0 when the command did what was asked, 1 when it failed (rolled back, checks failed).</summary>
    public int ExitCode => Outcome is DeployOutcome.Flipped or DeployOutcome.Noop or DeployOutcome.ReadyNotFlipped ? 0 : 1;
}

/// <summary>One instance in <c>status</c>.</summary>
public sealed record InstanceStatus(string Id, Plugins.Instance.Endpoint? Endpoint, string? ConfigHash, string? Version, string Health)
{
    /// <summary>What the instance's plugin tells about it (e.g. container, image); empty when it tells nothing.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Details { get; init; } = [];
}

/// <summary>One instance's log in <c>deploy logs</c>: null Log when its plugin keeps none, empty when it wrote nothing.</summary>
public sealed record InstanceLog(string Colour, string Id, string? Log);

/// <summary>One colour in <c>status</c>.</summary>
public sealed record ColourStatus(string Colour, string Role, string? Version, string? ConfigHash, IReadOnlyList<InstanceStatus> Instances);

/// <summary>The answer of <c>deploy status</c>.</summary>
public sealed record AppStatus(string App, string? LiveColour, string? StandbyColour, IReadOnlyList<ColourStatus> Colours, IReadOnlyList<HistoryEntry> LastDeploys);

/// <summary>One line of <c>deploy ls</c>.</summary>
public sealed record AppSummary(string App, string? LiveColour, string? Version, string SpecFile);

/// <summary>
/// One entry of an app's history. From and To: the colour live before and after (for a rollback after a failed flip,
/// From is the colour that failed). Version and ConfigHash: what the live colour's instances and the proxy carry
/// afterwards, as observed.
/// </summary>
public sealed record HistoryEntry(DateTimeOffset At, string Command, string Outcome, string? From, string? To, string? Version, string? ConfigHash)
{
    /// <summary>The format it was written in; entries without one are format 1.</summary>
    public int Format { get; init; } = 1;
}
