using Deploy.Engine.Planning;

namespace Deploy.Engine.BlueGreen;

/// <summary>The steps of a blue/green deploy, in the order apply runs them.</summary>
public enum AppStepKind
{
    /// <summary>Get ready to provision the new spec (pull its image) before any instance is touched.</summary>
    Prepare,
    /// <summary>Take the idle colour's instances out of the proxy's backups before they are replaced.</summary>
    Isolate,
    /// <summary>Converge the idle colour's group with its group plan.</summary>
    Converge,
    /// <summary>Wait until every instance of the idle colour answers its health check.</summary>
    Health,
    /// <summary>Verify each instance of the idle colour directly.</summary>
    Verify,
    /// <summary>Run the BeforeFlip hook; its failure stops the deploy before the flip.</summary>
    BeforeFlip,
    /// <summary>Stop before the flip (<c>--no-flip</c>).</summary>
    Hold,
    /// <summary>Point the proxy at the idle colour and wait until the proxy answers from it.</summary>
    Flip,
    /// <summary>Verify through the proxy for Verify.Duration; flip back on failure.</summary>
    VerifyThroughProxy,
    /// <summary>Run the AfterFlip hook (a failure only warns).</summary>
    AfterFlip,
    /// <summary>Keep the old colour as the proxy's backup servers.</summary>
    Standby,
    /// <summary>Drain the old colour, then destroy it.</summary>
    Retire,
}

/// <summary>One step of an <see cref="AppPlan"/> and the sentence that explains it.</summary>
public sealed record AppStep(AppStepKind Kind, string Sentence);

/// <summary>
/// What <c>apply</c> will do, computed by <see cref="AppPlanner"/> from the resolved app and what was observed. The one
/// object a dry run renders and a real run executes, so the two never disagree.
/// </summary>
/// <param name="App">The app's ID.</param>
/// <param name="Live">The colour live now; null before the first deploy.</param>
/// <param name="LiveVersion">The version the live colour's instances carry (observed tags).</param>
/// <param name="Target">The colour deployed to; the live colour when the plan is a no-op.</param>
/// <param name="Version">The version being deployed (the <c>version</c> var).</param>
/// <param name="Group">The target colour's group plan; null for a no-op.</param>
/// <param name="Steps">The steps in order; empty for a no-op.</param>
public sealed record AppPlan(
    string App,
    string? Live,
    string? LiveVersion,
    string Target,
    string? Version,
    GroupPlan? Group,
    IReadOnlyList<AppStep> Steps)
{
    /// <summary>True when the live colour already runs this configuration: nothing to do.</summary>
    public bool IsNoop => Group is null;

    /// <summary>True when the plan ends with traffic on <see cref="Target"/>.</summary>
    public bool Flips => Steps.Any(s => s.Kind == AppStepKind.Flip);

    /// <summary>The plan as the lines <c>plan</c> prints and <c>apply</c> reports.</summary>
    public IReadOnlyList<string> Lines =>
    [
        Live is null ? "live: none (first deploy)" : $"live: {Live} (version {LiveVersion ?? "unknown"})",
        .. IsNoop
            ? ["Noop: the live colour already runs this configuration"]
            : (IEnumerable<string>)[$"idle: {Target} -> version {Version ?? "unversioned"}", .. Steps.Select(s => s.Sentence)],
    ];

    /// <summary>One line: what applying this plan would do.</summary>
    public string Summary => IsNoop
        ? $"{App}: Noop"
        : $"{App}: would deploy version {Version ?? "unversioned"} to {Target}{(Flips ? " and flip" : " without flipping")}";
}
