using Deploy.Engine.Events;
using Deploy.Engine.Planning;
using Deploy.Engine.Plugins.Group;
using Deploy.Engine.Plugins.Instance;
using Deploy.Engine.Spec;

namespace Deploy.Engine.Converge;

/// <summary>
/// An orchestrator as a group's owner: plans with the pure <see cref="OrchestratedPlanner"/>, commits the whole group to
/// the group plugin in one call, then waits until the orchestrator reports it quiescent (<see cref="OrchestratedQuiescence"/>).
/// Tasks are the orchestrator's: this never creates, replaces or removes one.
/// </summary>
public sealed class OrchestratorOwner(GroupSpec spec, IGroupPlugin plugin, ConvergeOptions options, IDeployEvents events) : IGroupOwner
{
    private System.Text.Json.JsonElement? Properties => spec.Properties.Orchestrator!.Properties;

    /// <inheritdoc />
    public object Plugin => plugin;

    /// <inheritdoc />
    public async Task<IReadOnlyList<InstanceDescription>> ObserveAsync(CancellationToken cancellationToken) =>
        (await plugin.InspectAsync(spec.Id, Properties, cancellationToken))?.Instances ?? [];

    /// <inheritdoc />
    public async Task<GroupPlan> PlanAsync(string hash, bool isNew, CancellationToken cancellationToken) =>
        OrchestratedPlanner.Plan(spec, hash, await plugin.InspectAsync(spec.Id, Properties, cancellationToken), plugin.Describe(Properties), isNew);

    /// <inheritdoc />
    public async Task ExecuteAsync(GroupPlan plan, CancellationToken cancellationToken)
    {
        if (plan.Orchestrated is not { Action: not OrchestratedAction.None } change)
        {
            return;
        }

        var tags = new Dictionary<string, string>(options.ExtraTags, StringComparer.Ordinal)
        {
            [GroupPlanner.GroupTag] = spec.Id,
            [GroupPlanner.HashTag] = plan.ConfigHash,
        };
        var commit = new GroupCommit(spec.Id, plan.DesiredSize, plan.ConfigHash, Properties, tags, spec.Properties.Updating)
        {
            Secrets = options.Secrets, BaseDirectory = options.BaseDirectory, Retry = change.Action == OrchestratedAction.Retry,
        };
        await plugin.CommitAsync(commit, cancellationToken);
        events.Info($"{change.Sentence}: committed to {spec.Properties.Orchestrator!.Plugin}");
        await new OrchestratedQuiescence(plugin, options, events).WaitAsync(spec, plan.ConfigHash, plan.DesiredSize, cancellationToken);
    }

    /// <inheritdoc />
    public Task WaitQuiescentAsync(string hash, CancellationToken cancellationToken) =>
        new OrchestratedQuiescence(plugin, options, events).WaitAsync(spec, hash, spec.Properties.Allocation.DesiredCount, cancellationToken);

    /// <inheritdoc />
    public async Task<int> DestroyAsync(CancellationToken cancellationToken)
    {
        var members = await ObserveAsync(cancellationToken);
        await plugin.DestroyAsync(spec.Id, Properties, cancellationToken);
        return members.Count;
    }
}
