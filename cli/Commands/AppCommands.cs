using Deploy.Cli.Options;
using Deploy.Cli.Rendering;
using Deploy.Engine.BlueGreen;
using Deploy.Engine.Diagnostics;

namespace Deploy.Cli.Commands;

/// <summary>The blue/green verbs: each builds one <see cref="AppRequest"/>, calls the engine and renders the result.</summary>
internal static class AppCommands
{
    public static async Task<int> PlanAsync(CliContext cli, PlanOptions o) =>
        Render(cli, o.Json, await cli.Apps(o, o.Json).PlanAsync(Request(o), cli.Cancellation), showPlan: true);

    public static async Task<int> ApplyAsync(CliContext cli, ApplyOptions o)
    {
        var request = Request(o) with { Timeout = GroupCommands.ParseDuration(o.Timeout, "--timeout"), NoFlip = o.NoFlip };
        return Render(cli, o.Json, await cli.Apps(o, o.Json).ApplyAsync(request, cli.Cancellation), showPlan: false);
    }

    public static async Task<int> FlipAsync(CliContext cli, FlipOptions o) =>
        Render(cli, o.Json, await cli.Apps(o, o.Json).FlipAsync(Request(o) with { To = o.To }, cli.Cancellation), showPlan: false);

    public static async Task<int> RollbackAsync(CliContext cli, RollbackOptions o) =>
        Render(cli, o.Json, await cli.Apps(o, o.Json).RollbackAsync(Request(o), cli.Cancellation), showPlan: false);

    public static async Task<int> DestroyAsync(CliContext cli, DestroyOptions o)
    {
        await cli.Apps(o, o.Json).DestroyAsync(Request(o) with { Yes = o.Yes }, cli.Cancellation);
        cli.Out.WriteLine($"destroyed {o.Target}");
        return 0;
    }

    public static async Task<int> StatusAsync(CliContext cli, StatusOptions o)
    {
        var status = await cli.Apps(o, o.Json).StatusAsync(Request(o), cli.Cancellation);
        if (o.Json)
        {
            Output.WriteJson(cli.Out, status);
            return 0;
        }

        cli.Out.WriteLine($"{status.App}: live {status.LiveColour ?? "none"}, standby {status.StandbyColour ?? "none"}");
        foreach (var colour in status.Colours)
        {
            cli.Out.WriteLine($"{colour.Colour} ({colour.Role}) version {colour.Version ?? "-"} config {colour.ConfigHash ?? "-"}");
            var detailed = colour.Instances.Any(i => i.Details.Count > 0);
            Output.WriteTable(cli.Out, detailed ? ["  ID", "ENDPOINT", "VERSION", "HEALTH", "DETAILS"] : ["  ID", "ENDPOINT", "VERSION", "HEALTH"],
                colour.Instances.Select(i => new[] { "  " + i.Id, i.Endpoint?.Authority ?? "-", i.Version ?? "-", i.Health }
                    .Concat(detailed ? [string.Join(' ', i.Details.Select(d => $"{d.Key}={d.Value}"))] : []).ToArray()));
        }

        cli.Out.WriteLine("last deploys:");
        foreach (var h in status.LastDeploys)
        {
            cli.Out.WriteLine($"  {h.At:u}  {h.Command,-8} {h.Outcome,-16} {h.From ?? "-"} -> {h.To ?? "-"}  version {h.Version ?? "-"}");
        }

        return 0;
    }

    public static async Task<int> LogsAsync(CliContext cli, LogsOptions o)
    {
        if (o.Lines < 1)
        {
            throw new DeployException(Errors.InvalidArgument, $"--lines {o.Lines}: give a number of lines of at least 1");
        }

        var logs = await cli.Apps(o, o.Json).LogsAsync(Request(o) with { To = o.Colour }, o.Lines, cli.Cancellation);
        if (o.Json)
        {
            Output.WriteJson(cli.Out, logs);
            return 0;
        }

        if (logs.Count == 0)
        {
            cli.Out.WriteLine($"{o.Target}: no instances{(o.Colour is null ? "" : $" in {o.Colour}")}");
        }

        foreach (var log in logs)
        {
            cli.Out.WriteLine($"== {log.Colour} {log.Id} ==");
            cli.Out.WriteLine(log.Log switch { null => "(its plugin keeps no log)", "" => "(nothing written yet)", _ => log.Log });
        }

        return 0;
    }

    public static async Task<int> ListAsync(CliContext cli, AppListOptions o)
    {
        var apps = await cli.Apps(o, o.Json).ListAsync(cli.Cancellation);
        if (o.Json)
        {
            Output.WriteJson(cli.Out, apps);
        }
        else
        {
            Output.WriteTable(cli.Out, ["APP", "LIVE", "VERSION", "SPEC"], apps.Select(a => new[] { a.App, a.LiveColour ?? "-", a.Version ?? "-", a.SpecFile }));
        }

        return 0;
    }

    private static AppRequest Request(AppOptions o) => new(o.Target) { Vars = ParseVars(o.Vars) };

    /// <summary>Parses <c>NAME=VALUE</c> pairs; a malformed one is bad input (exit 2).</summary>
    public static IReadOnlyDictionary<string, string> ParseVars(IEnumerable<string> pairs)
    {
        var vars = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in pairs)
        {
            var eq = pair.IndexOf('=');
            if (eq <= 0)
            {
                throw new DeployException(Errors.InvalidArgument, $"--var: \"{pair}\" is not NAME=VALUE; write e.g. --var version=2.0.0");
            }

            vars[pair[..eq]] = pair[(eq + 1)..];
        }

        return vars;
    }

    private static int Render(CliContext cli, bool json, DeployResult result, bool showPlan)
    {
        if (json)
        {
            Output.WriteJson(cli.Out, result);
            return result.ExitCode;
        }

        if (showPlan)
        {
            foreach (var line in result.Plan)
            {
                cli.Out.WriteLine(line);
            }
        }

        (result.ExitCode == 0 ? cli.Out : cli.Error).WriteLine(result.Summary);
        return result.ExitCode;
    }
}
