namespace Deploy.Engine.BlueGreen;

/// <summary>
/// One blue/green command's input, the same from every face. Target: an app name recorded in the state folder, or
/// a spec path (required). Vars: --var overrides. Timeout: bound of apply (default 10m). NoFlip: stop before the
/// flip. To: the colour to flip to. Yes: confirms destroy.
/// </summary>
public sealed record AppRequest(string Target)
{
    /// <summary>--var NAME=VALUE overrides of the spec's Vars (and values of its Secrets).</summary>
    public IReadOnlyDictionary<string, string> Vars { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// Names in <see cref="Vars"/> that the face passes on its own (MSBuild's <c>version</c> and <c>publish_dir</c>): they
    /// never trip the check that every given var is declared in the spec or used in a placeholder.
    /// </summary>
    public IReadOnlySet<string> OptionalVars { get; init; } = new HashSet<string>();

    /// <summary>The longest an apply may take; default 10 minutes.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Stop after verifying the idle colour, before the flip.</summary>
    public bool NoFlip { get; init; }

    /// <summary>The colour <c>flip</c> promotes; default the other one.</summary>
    public string? To { get; init; }

    /// <summary>Confirms <c>destroy</c>.</summary>
    public bool Yes { get; init; }
}
