using Deploy.Engine.Planning;
using Deploy.Engine.Plugins.Instance;
using Deploy.Engine.Spec;

namespace Deploy.Engine.Converge;

/// <summary>Deploy's own scaler as a group's owner: the pure <see cref="GroupPlanner"/> and the <see cref="GroupConverger"/>.</summary>
public sealed class ScalerOwner(GroupSpec spec, IInstancePlugin plugin, GroupConverger converger) : IGroupOwner
{
    /// <inheritdoc />
    public object Plugin => plugin;

    /// <inheritdoc />
    public Task<IReadOnlyList<InstanceDescription>> ObserveAsync(CancellationToken cancellationToken) =>
        converger.ObserveAsync(spec.Id, cancellationToken);

    /// <inheritdoc />
    public async Task<GroupPlan> PlanAsync(string hash, bool isNew, CancellationToken cancellationToken) =>
        GroupPlanner.Plan(spec, hash, await ObserveAsync(cancellationToken), isNew);

    /// <inheritdoc />
    public Task ExecuteAsync(GroupPlan plan, CancellationToken cancellationToken) => converger.ExecuteAsync(spec, plan, cancellationToken);

    /// <inheritdoc />
    public Task WaitQuiescentAsync(string hash, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public async Task<int> DestroyAsync(CancellationToken cancellationToken)
    {
        var members = await ObserveAsync(cancellationToken);
        var plan = new GroupPlan(spec.Id, "", 0, false, members, [], []);
        await converger.ExecuteAsync(spec with { Properties = spec.Properties with { Allocation = new Allocation(0, null) } }, plan, cancellationToken);
        return members.Count;
    }
}
