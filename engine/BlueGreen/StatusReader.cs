using Deploy.Engine.Groups;
using Deploy.Engine.Planning;
using Deploy.Engine.Plugins.Flavor;
using Deploy.Engine.Plugins.Instance;

namespace Deploy.Engine.BlueGreen;

/// <summary><c>deploy status</c>: everything observed fresh, each instance probed once.</summary>
public sealed class StatusReader(AppContext ctx)
{
    /// <summary>Reads the app's status.</summary>
    public async Task<AppStatus> ReadAsync(CancellationToken ct)
    {
        var seen = await ctx.ObserveAsync(ct);
        var colours = new List<ColourStatus>();
        foreach (var colour in ctx.App.Colours)
        {
            var members = seen.Members[colour.Colour];
            var instances = new List<InstanceStatus>();
            foreach (var m in members)
            {
                instances.Add(new InstanceStatus(m.Id, m.Endpoint, m.Tags.GetValueOrDefault(GroupPlanner.HashTag),
                    m.Tags.GetValueOrDefault("deploy.version"), await HealthAsync(colour, m, ct))
                {
                    Details = ctx.OwnerPlugin(colour) is Plugins.IInstanceDetails details ? await details.DetailsAsync(m.Id, ct) : [],
                });
            }

            var role = seen.Live == colour.Colour ? "live" : members.Count > 0 ? "standby" : "idle";
            colours.Add(new ColourStatus(colour.Colour, role, instances.Select(i => i.Version).FirstOrDefault(v => !string.IsNullOrEmpty(v)),
                instances.Select(i => i.ConfigHash).FirstOrDefault(), instances));
        }

        var standby = colours.FirstOrDefault(c => c.Role == "standby")?.Colour;
        return new AppStatus(ctx.App.Id, seen.Live, standby, colours, ctx.Records.History(ctx.App.Id, 5));
    }

    /// <summary>
    /// One instance's health: its platform's verdict when its plugin judges health (a container's HEALTHCHECK), then one
    /// HTTP probe when the spec has Health, else the flavor's verdict.
    /// </summary>
    public async Task<string> HealthAsync(Apps.ColourSpec colour, MemberView member, CancellationToken ct)
    {
        if (ctx.PlatformHealth(colour) is { } platform && await platform.HealthAsync(member.Id, ct) is var verdict
            && verdict is not (Plugins.InstanceHealth.Healthy or Plugins.InstanceHealth.Unchecked))
        {
            return verdict.ToString().ToLowerInvariant() + " (platform)";
        }

        if (colour.Health is { } health && member.Endpoint is not null)
        {
            var result = await ctx.Checks.ProbeAsync(member.Endpoint.Url(health.Path), health.Timeout, ct);
            return result.IsSuccess ? "healthy" : $"unhealthy: {result}";
        }

        if (colour.Group.Properties.Flavor is not { } flavorSection)
        {
            return "running"; // an orchestrator's running task, with no HTTP check to judge it
        }

        var flavor = ctx.Groups.Plugins.Flavor(flavorSection.Plugin);
        var flavorVerdict = await flavor.HealthAsync(flavorSection.Properties,
            new InstanceDescription(member.Id, member.LogicalId, member.Tags, member.Endpoint), ct);
        return flavorVerdict.ToString().ToLowerInvariant();
    }

    /// <summary>The last <paramref name="lines"/> lines of each instance's log, masked; of one colour or both.</summary>
    public async Task<IReadOnlyList<InstanceLog>> LogsAsync(string? colour, int lines, CancellationToken ct)
    {
        if (colour is not null && ctx.App.Colours.All(c => c.Colour != colour))
        {
            throw new Diagnostics.DeployException(Diagnostics.Errors.InvalidArgument,
                $"{ctx.App.Id} has no colour \"{colour}\"; its colours are {string.Join(" and ", ctx.App.Colours.Select(c => c.Colour))}");
        }

        var seen = await ctx.ObserveAsync(ct);
        var logs = new List<InstanceLog>();
        foreach (var c in ctx.App.Colours.Where(c => colour is null || c.Colour == colour))
        {
            var plugin = ctx.OwnerPlugin(c) as Plugins.IInstanceLogs;
            foreach (var m in seen.Members[c.Colour])
            {
                var log = plugin is null ? null : await plugin.LogTailAsync(m.Id, lines, ct) ?? "";
                logs.Add(new InstanceLog(c.Colour, m.Id, log is null ? null : ctx.Mask.Apply(log)));
            }
        }

        return logs;
    }
}
