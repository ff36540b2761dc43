using Deploy.Engine.Plugins.Instance;
using Deploy.Engine.Spec;

namespace Deploy.Engine.Planning;

/// <summary>
/// The pure planner: (spec, config hash, observed instances) → <see cref="GroupPlan"/>. No I/O, so dry runs
/// and real runs share it and it can be tested on plain data.
/// </summary>
public static class GroupPlanner
{
    /// <summary>Tag naming the group an instance belongs to.</summary>
    public const string GroupTag = "deploy.group";

    /// <summary>Tag holding the config hash an instance was created from.</summary>
    public const string HashTag = "deploy.config_sha";

    /// <summary>Tag holding a quorum instance's logical ID.</summary>
    public const string LogicalIdTag = "deploy.logical_id";

    /// <summary>Plans the changes that take <paramref name="observed"/> to <paramref name="spec"/>.</summary>
    public static GroupPlan Plan(GroupSpec spec, string configHash, IReadOnlyList<InstanceDescription> observed, bool isNewGroup)
    {
        // Plugins usually describe in ID order already: checking that is linear, sorting is not.
        var ordered = observed.ToList();
        if (!IsSorted(ordered))
        {
            ordered.Sort((a, b) => InstanceIdComparer.Instance.Compare(a.Id, b.Id));
        }

        return spec.Properties.Allocation.IsQuorum
            ? PlanQuorum(spec, configHash, ordered, isNewGroup)
            : PlanScaler(spec, configHash, ordered, isNewGroup);
    }

    private static bool IsSorted(List<InstanceDescription> instances)
    {
        for (var i = 1; i < instances.Count; i++)
        {
            if (InstanceIdComparer.Instance.Compare(instances[i - 1].Id, instances[i].Id) > 0)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>True when the instance was created from the config with hash <paramref name="configHash"/>.</summary>
    public static bool IsDesired(InstanceDescription instance, string configHash) =>
        instance.Tags.TryGetValue(HashTag, out var h) && h == configHash;

    /// <summary>The instance's logical ID, from the plugin or from its tag.</summary>
    public static string? LogicalIdOf(InstanceDescription instance) =>
        instance.LogicalId ?? instance.Tags.GetValueOrDefault(LogicalIdTag);

    private static GroupPlan PlanScaler(GroupSpec spec, string hash, List<InstanceDescription> observed, bool isNew)
    {
        var size = spec.Properties.Allocation.Size ?? 0;
        // Shrinking removes instances that would have to be rolled anyway first, lowest IDs first.
        var extras = Math.Max(0, observed.Count - size);
        var undesired = observed.Where(i => !IsDesired(i, hash)).ToList();
        var destroy = undesired.Concat(observed.Where(i => IsDesired(i, hash))).Take(extras).ToList();
        var roll = undesired.Skip(Math.Min(extras, undesired.Count)).ToList();
        var add = Enumerable.Repeat<string?>(null, Math.Max(0, size - observed.Count)).ToList();
        return new GroupPlan(spec.Id, hash, size, isNew, destroy, roll, add);
    }

    private static GroupPlan PlanQuorum(GroupSpec spec, string hash, List<InstanceDescription> observed, bool isNew)
    {
        var ids = spec.Properties.Allocation.LogicalIds!;
        var wanted = ids.ToHashSet(StringComparer.Ordinal);
        var destroy = new List<InstanceDescription>();
        var roll = new List<InstanceDescription>();
        var byId = observed.GroupBy(LogicalIdOf).ToDictionary(g => g.Key ?? "", g => g.ToList());
        foreach (var (logicalId, members) in byId)
        {
            if (!wanted.Contains(logicalId))
            {
                destroy.AddRange(members);
                continue;
            }

            // One instance per logical ID: keep a desired one if any, else the lowest ID.
            var keep = members.FirstOrDefault(i => IsDesired(i, hash)) ?? members[0];
            destroy.AddRange(members.Where(m => m != keep));
            if (!IsDesired(keep, hash))
            {
                roll.Add(keep);
            }
        }

        var add = ids.Where(id => !byId.ContainsKey(id)).Cast<string?>().ToList();
        destroy.Sort((a, b) => InstanceIdComparer.Instance.Compare(a.Id, b.Id));
        roll.Sort((a, b) => InstanceIdComparer.Instance.Compare(a.Id, b.Id));
        return new GroupPlan(spec.Id, hash, ids.Count, isNew, destroy, roll, add);
    }
}
