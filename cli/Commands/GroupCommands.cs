using Deploy.Cli.Options;
using Deploy.Cli.Rendering;
using Deploy.Engine.Diagnostics;
using Deploy.Engine.Spec;

namespace Deploy.Cli.Commands;

/// <summary>The <c>group</c>, <c>instance</c> and <c>plugin</c> verbs: each turns its options into one engine call and renders the result.</summary>
internal static class GroupCommands
{
    public static async Task<int> WatchAsync(CliContext cli, GroupWatchOptions o)
    {
        var change = await cli.Groups(o).WatchAsync(o.File, cli.Cancellation);
        cli.Out.WriteLine($"watching {change.GroupId}");
        return 0;
    }

    public static async Task<int> DescribeAsync(CliContext cli, GroupDescribeOptions o)
    {
        var change = await cli.Groups(o, o.Json).DescribeAsync(o.File, cli.Cancellation);
        if (o.Json)
        {
            Output.WriteJson(cli.Out, new { group = change.GroupId, plan = change.Plan, configHash = change.ConfigHash });
        }
        else
        {
            cli.Out.WriteLine($"{change.GroupId} : {change.Plan}");
        }

        return 0;
    }

    public static async Task<int> UpdateAsync(CliContext cli, GroupUpdateOptions o)
    {
        var change = await cli.Groups(o, pollInterval: ParseDuration(o.PollInterval, "--poll-interval")).UpdateAsync(o.File, cli.Cancellation);
        cli.Out.WriteLine($"update {change.GroupId} completed");
        return 0;
    }

    public static async Task<int> InspectAsync(CliContext cli, GroupInspectOptions o)
    {
        var members = await cli.Groups(o, o.Json).InspectAsync(o.Id, cli.Cancellation);
        if (o.Json)
        {
            Output.WriteJson(cli.Out, members);
        }
        else
        {
            Output.WriteMembers(cli.Out, members);
        }

        return 0;
    }

    public static async Task<int> ListAsync(CliContext cli, GroupListOptions o)
    {
        var groups = await cli.Groups(o, o.Json).ListAsync(cli.Cancellation);
        if (o.Json)
        {
            Output.WriteJson(cli.Out, groups);
        }
        else
        {
            Output.WriteTable(cli.Out, ["ID", "DESIRED", "INSTANCES", "INSTANCE PLUGIN", "FLAVOR PLUGIN"],
                groups.Select(g => new[] { g.Id, g.Desired.ToString(), g.Instances.ToString(), g.InstancePlugin, g.FlavorPlugin }));
        }

        return 0;
    }

    public static Task<int> FreeAsync(CliContext cli, GroupFreeOptions o)
    {
        cli.Groups(o).Free(o.Id);
        cli.Out.WriteLine($"freed {o.Id}: no longer managed, instances left running");
        return Task.FromResult(0);
    }

    public static async Task<int> DestroyAsync(CliContext cli, GroupDestroyOptions o)
    {
        var count = await cli.Groups(o).DestroyAsync(o.Id, cli.Cancellation);
        cli.Out.WriteLine($"destroyed {o.Id} ({(count == 1 ? "1 instance" : $"{count} instances")})");
        return 0;
    }

    public static async Task<int> DescribeInstancesAsync(CliContext cli, InstanceDescribeOptions o)
    {
        var members = await cli.Groups(o, o.Json).DescribeInstancesAsync(o.Name, ParseTags(o.Tags), cli.Cancellation);
        if (o.Json)
        {
            Output.WriteJson(cli.Out, members);
        }
        else
        {
            Output.WriteMembers(cli.Out, members);
        }

        return 0;
    }

    public static Task<int> ListPluginsAsync(CliContext cli, PluginListOptions o)
    {
        var plugins = cli.Groups(o, o.Json).Plugins.List();
        if (o.Json)
        {
            Output.WriteJson(cli.Out, plugins.Select(p => new { name = p.Name, kind = p.Kind, description = p.Description, listen = p.Listen, shadowed = p.Shadowed }));
        }
        else
        {
            Output.WriteTable(cli.Out, ["NAME", "KIND", "LISTEN", "DESCRIPTION"], plugins.Select(p => new[] { p.Name, p.Kind, p.Listen ?? "built-in", p.Description }));
        }

        return Task.FromResult(0);
    }

    /// <summary>Parses <c>k=v</c> pairs; a malformed pair is bad input (exit 2).</summary>
    public static IReadOnlyDictionary<string, string> ParseTags(IEnumerable<string> pairs)
    {
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in pairs.Where(p => p.Length > 0))
        {
            var eq = pair.IndexOf('=');
            if (eq <= 0)
            {
                throw new DeployException(Errors.InvalidArgument, $"--tags: \"{pair}\" is not k=v; write e.g. --tags deploy.group=app-blue");
            }

            tags[pair[..eq]] = pair[(eq + 1)..];
        }

        return tags;
    }

    /// <summary>Parses a duration flag; a malformed one is bad input (exit 2).</summary>
    public static TimeSpan ParseDuration(string text, string flag) =>
        Duration.TryParse(text, out var d) && d > TimeSpan.Zero
            ? d
            : throw new DeployException(Errors.InvalidArgument, $"{flag}: \"{text}\" is not a duration; write e.g. 500ms, 10s or 5m");
}
