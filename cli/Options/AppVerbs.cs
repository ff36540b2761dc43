using CommandLine;

namespace Deploy.Cli.Options;

/// <summary>Options of commands that resolve an app spec.</summary>
public abstract class AppOptions : ReadOptions
{
    [Value(0, MetaName = "APP|SPEC", Required = true, HelpText = "An app spec file, or the name of an app applied from this state folder.")]
    public string Target { get; set; } = "";

    [Option("var", HelpText = "Override a var (or give a secret): --var NAME=VALUE; repeat for more.")]
    public IEnumerable<string> Vars { get; set; } = [];
}

[Verb("plan", HelpText = "Dry run: which colour is live, what deploying to the idle colour would do, the flip. Changes nothing.")]
public sealed class PlanOptions : AppOptions
{
}

[Verb("apply", HelpText = "Deploy to the idle colour, wait until healthy, verify, flip the proxy; roll back if it fails.")]
public sealed class ApplyOptions : AppOptions
{
    [Option("timeout", Default = "10m", HelpText = "Give up after this long (the live colour stays live).")]
    public string Timeout { get; set; } = "10m";

    [Option("no-flip", HelpText = "Stop once the idle colour is healthy and verified; flip later with 'deploy flip'.")]
    public bool NoFlip { get; set; }
}

[Verb("status", HelpText = "Live and standby colours, versions, config hashes, instances with health, last deploys.")]
public sealed class StatusOptions : AppOptions
{
}

[Verb("logs", HelpText = "The end of each instance's log, for containers and processes alike; secrets masked.")]
public sealed class LogsOptions : AppOptions
{
    [Option("colour", HelpText = "Only this colour's instances; default both.")]
    public string? Colour { get; set; }

    [Option("lines", Default = 50, HelpText = "How many lines of each instance's log.")]
    public int Lines { get; set; } = 50;
}

[Verb("flip", HelpText = "Promote a colour (after --no-flip); refuses one whose instances are not healthy.")]
public sealed class FlipOptions : AppOptions
{
    [Option("to", HelpText = "The colour to promote; default the one not live.")]
    public string? To { get; set; }
}

[Verb("rollback", HelpText = "Flip back to the healthy standby colour at once.")]
public sealed class RollbackOptions : AppOptions
{
}

[Verb("destroy", HelpText = "Destroy both colours of an app and forget it (needs --yes).")]
public sealed class DestroyOptions : AppOptions
{
    [Option("yes", HelpText = "Confirm: the proxy is left with nothing to route to.")]
    public bool Yes { get; set; }
}

[Verb("ls", HelpText = "List apps applied from this state folder, with live colour and version.")]
public sealed class AppListOptions : ReadOptions
{
}
