using Deploy.Engine.Diagnostics;
using Deploy.Engine.Events;
using Deploy.Engine.Planning;
using Deploy.Engine.Plugins.Flavor;
using Deploy.Engine.Plugins.Instance;
using Deploy.Engine.Spec;

namespace Deploy.Engine.Converge;

/// <summary>
/// The executor: runs a <see cref="GroupPlan"/> against the plugins, in the order its sentence reads —
/// terminate extras, roll undesired instances step by step waiting for quiescence, add missing ones.
/// Every step re-observes the instances by tags, so a re-run after a crash picks up where the last one stopped.
/// </summary>
public sealed class GroupConverger(IInstancePlugin instances, IFlavorPlugin flavor, ConvergeOptions options, IDeployEvents events)
{
    private readonly Quiescence _quiescence = new(instances, flavor, options, events);

    /// <summary>Carries out <paramref name="plan"/> for <paramref name="spec"/>.</summary>
    public async Task ExecuteAsync(GroupSpec spec, GroupPlan plan, CancellationToken cancellationToken)
    {
        if (plan.ToDestroy.Count > 0)
        {
            await DestroyAsync(spec, plan.ToDestroy, cancellationToken);
        }

        // The roll ends on a quiescent group; only new instances need a final wait.
        if (plan.ToRoll.Count > 0)
        {
            await RollAsync(spec, plan.ConfigHash, cancellationToken);
        }

        var missing = await MissingAsync(spec, cancellationToken);
        if (missing.Count > 0)
        {
            events.Info($"Adding {PlanSentence.Instances(missing.Count)} to group {spec.Id} to reach desired {plan.DesiredSize}");
            await ProvisionAsync(spec, plan.ConfigHash, missing, cancellationToken);
            await _quiescence.WaitAsync(spec, plan.ConfigHash, plan.DesiredSize, cancellationToken);
        }
    }

    /// <summary>The instances of the group, found by its tag.</summary>
    public Task<IReadOnlyList<InstanceDescription>> ObserveAsync(string groupId, CancellationToken cancellationToken) =>
        instances.DescribeAsync(new Dictionary<string, string> { [GroupPlanner.GroupTag] = groupId }, cancellationToken);

    private async Task RollAsync(GroupSpec spec, string hash, CancellationToken cancellationToken)
    {
        var updating = spec.Properties.Updating;
        // A group that is also short of instances rolls the ones it has, then adds the rest (as the plan reads).
        var size = Math.Min(spec.Properties.Allocation.DesiredCount, (await ObserveAsync(spec.Id, cancellationToken)).Count);
        while (true)
        {
            await _quiescence.WaitAsync(spec, hash, size, cancellationToken);
            var observed = await ObserveAsync(spec.Id, cancellationToken);
            var undesired = observed.Where(i => !GroupPlanner.IsDesired(i, hash)).ToList();
            if (undesired.Count == 0)
            {
                return;
            }

            events.Info($"Found {undesired.Count} undesired {(undesired.Count == 1 ? "instance" : "instances")}");
            var batch = undesired.Take(updating.Count).ToList();
            var replacements = batch.Select(GroupPlanner.LogicalIdOf).ToList();
            if (updating.Surge)
            {
                await ProvisionAsync(spec, hash, replacements, cancellationToken);
                await _quiescence.WaitAsync(spec, hash, size + batch.Count, cancellationToken);
                await DestroyAsync(spec, batch, cancellationToken);
            }
            else
            {
                await DestroyAsync(spec, batch, cancellationToken);
                events.Info($"Adding {PlanSentence.Instances(batch.Count)} to group {spec.Id} to reach desired {spec.Properties.Allocation.DesiredCount}");
                await ProvisionAsync(spec, hash, replacements, cancellationToken);
            }
        }
    }

    private async Task<List<string?>> MissingAsync(GroupSpec spec, CancellationToken cancellationToken)
    {
        var observed = await ObserveAsync(spec.Id, cancellationToken);
        var allocation = spec.Properties.Allocation;
        if (!allocation.IsQuorum)
        {
            return Enumerable.Repeat<string?>(null, Math.Max(0, allocation.DesiredCount - observed.Count)).ToList();
        }

        var present = observed.Select(GroupPlanner.LogicalIdOf).ToHashSet();
        return allocation.LogicalIds!.Where(id => !present.Contains(id)).Cast<string?>().ToList();
    }

    private Task ProvisionAsync(GroupSpec spec, string hash, IReadOnlyList<string?> logicalIds, CancellationToken cancellationToken) =>
        Parallel.ForEachAsync(logicalIds, Parallelism(cancellationToken), async (logicalId, ct) =>
        {
            var tags = new Dictionary<string, string>(options.ExtraTags, StringComparer.Ordinal)
            {
                [GroupPlanner.GroupTag] = spec.Id,
                [GroupPlanner.HashTag] = hash,
            };
            if (logicalId is not null)
            {
                tags[GroupPlanner.LogicalIdTag] = logicalId;
            }

            var prepared = await flavor.PrepareAsync(spec.Properties.FlavorSection.Properties,
                new InstanceSpec(spec.Properties.InstanceSection.Properties, tags, LogicalId: logicalId), ct) with { Secrets = options.Secrets, BaseDirectory = options.BaseDirectory };
            var id = await Guard(() => instances.ProvisionAsync(prepared, ct), $"provisioning an instance of {spec.Id}");
            events.Info($"Created instance {id} with tags {TagFilter.Format(prepared.Tags)}");
        });

    private Task DestroyAsync(GroupSpec spec, IReadOnlyList<InstanceDescription> victims, CancellationToken cancellationToken) =>
        Parallel.ForEachAsync(victims, Parallelism(cancellationToken), async (instance, ct) =>
        {
            events.Info($"Destroying instance {instance.Id}");
            await Guard(() => flavor.DrainAsync(spec.Properties.FlavorSection.Properties, instance, ct), $"draining {instance.Id}");
            await Guard(() => instances.DestroyAsync(instance.Id, ct), $"destroying {instance.Id}");
        });

    private ParallelOptions Parallelism(CancellationToken cancellationToken) =>
        new() { MaxDegreeOfParallelism = Math.Max(1, options.MaxParallel), CancellationToken = cancellationToken };

    // Plugin failures other than the engine's own become one clear operation error naming what was being done.
    private static async Task<T> Guard<T>(Func<Task<T>> action, string what)
    {
        try
        {
            return await action();
        }
        catch (Exception e) when (e is not DeployException and not OperationCanceledException)
        {
            throw new DeployException(Errors.PluginFailed, $"{what} failed: {e.Message}");
        }
    }

    private static Task Guard(Func<Task> action, string what) =>
        Guard(async () => { await action(); return true; }, what);
}
