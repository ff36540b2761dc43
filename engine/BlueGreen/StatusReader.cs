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
                    m.Tags.GetValueOrDefault("deploy.version"), await HealthAsync(colour, m, ct)));
            }

            var role = seen.Live == colour.Colour ? "live" : members.Count > 0 ? "standby" : "idle";
            colours.Add(new ColourStatus(colour.Colour, role, instances.Select(i => i.Version).FirstOrDefault(v => !string.IsNullOrEmpty(v)),
                instances.Select(i => i.ConfigHash).FirstOrDefault(), instances));
        }

        var standby = colours.FirstOrDefault(c => c.Role == "standby")?.Colour;
        return new AppStatus(ctx.App.Id, seen.Live, standby, colours, ctx.Records.History(ctx.App.Id, 5));
    }

    /// <summary>One instance's health: one HTTP probe when the spec has Health, else the flavor's verdict.</summary>
    public async Task<string> HealthAsync(Apps.ColourSpec colour, MemberView member, CancellationToken ct)
    {
        if (colour.Health is { } health && member.Endpoint is not null)
        {
            var result = await ctx.Checks.ProbeAsync(member.Endpoint.Url(health.Path), health.Timeout, ct);
            return result.IsSuccess ? "healthy" : $"unhealthy: {result}";
        }

        var flavor = ctx.Groups.Plugins.Flavor(colour.Group.Properties.Flavor.Plugin);
        var verdict = await flavor.HealthAsync(colour.Group.Properties.Flavor.Properties,
            new InstanceDescription(member.Id, member.LogicalId, member.Tags, member.Endpoint), ct);
        return verdict.ToString().ToLowerInvariant();
    }
}
