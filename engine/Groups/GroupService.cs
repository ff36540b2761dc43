using Deploy.Engine.Converge;
using Deploy.Engine.Diagnostics;
using Deploy.Engine.Events;
using Deploy.Engine.Hashing;
using Deploy.Engine.Json;
using Deploy.Engine.Planning;
using Deploy.Engine.Plugins;
using Deploy.Engine.Plugins.Instance;
using Deploy.Engine.Spec;
using Deploy.Engine.State;

namespace Deploy.Engine.Groups;

/// <summary>
/// The group commands every face calls: watch, describe, update, inspect, ls, free, destroy, and one
/// reconcile pass for the controller. Each takes the group's lock, re-observes instances by tags,
/// plans with the pure planner and runs the plan with the converger.
/// </summary>
public sealed partial class GroupService(EngineOptions options, PluginRegistry plugins)
{
    private readonly StateStore _state = new(options.StateDirectory);

    /// <summary>The plugins this service uses.</summary>
    public PluginRegistry Plugins => plugins;

    /// <summary>The state store this service uses.</summary>
    public StateStore State => _state;

    /// <summary>Validates, commits and converges a new group. Same spec again: no-op. Another spec: refused.</summary>
    public Task<GroupChange> WatchAsync(string file, CancellationToken cancellationToken) =>
        WatchAsync(SpecInput.FromFile(file, plugins), cancellationToken);

    /// <summary>
    /// <see cref="WatchAsync(string, CancellationToken)"/> for a spec sent as JSON text (a plugin socket's request);
    /// <paramref name="source"/> names it in error locations.
    /// </summary>
    public Task<GroupChange> WatchJsonAsync(string json, string source, CancellationToken cancellationToken) =>
        WatchAsync(SpecInput.FromJson(source, json, plugins), cancellationToken);

    /// <summary>The plan for <paramref name="file"/> against what exists now. Changes nothing.</summary>
    public Task<GroupChange> DescribeAsync(string file, CancellationToken cancellationToken) =>
        DescribeAsync(SpecInput.FromFile(file, plugins), cancellationToken);

    /// <summary><see cref="DescribeAsync(string, CancellationToken)"/> for a spec sent as JSON text.</summary>
    public Task<GroupChange> DescribeJsonAsync(string json, string source, CancellationToken cancellationToken) =>
        DescribeAsync(SpecInput.FromJson(source, json, plugins), cancellationToken);

    /// <summary>Commits the new spec of a watched group and converges to it, one rolling step at a time.</summary>
    public Task<GroupChange> UpdateAsync(string file, CancellationToken cancellationToken) =>
        UpdateAsync(SpecInput.FromFile(file, plugins), cancellationToken);

    /// <summary><see cref="UpdateAsync(string, CancellationToken)"/> for a spec sent as JSON text.</summary>
    public Task<GroupChange> UpdateJsonAsync(string json, string source, CancellationToken cancellationToken) =>
        UpdateAsync(SpecInput.FromJson(source, json, plugins), cancellationToken);

    private async Task<GroupChange> WatchAsync(SpecInput input, CancellationToken cancellationToken)
    {
        var (spec, json) = (input.Spec, input.Json);
        using var _ = Lock(spec.Id, "group watch");
        var committed = _state.CommittedJson(spec.Id);
        if (committed is not null && !SameSpec(committed, json))
        {
            throw new DeployException([new Diagnostic(Errors.AlreadyWatched,
                $"group {spec.Id} is already watched with a different spec; use {input.UpdateHint} to change it", File: input.Source)]);
        }

        var isNew = committed is null;
        Commit(spec, json);
        return await ConvergeAsync(spec, isNew, announce: false, cancellationToken);
    }

    private async Task<GroupChange> DescribeAsync(SpecInput input, CancellationToken cancellationToken)
    {
        var plan = await PlanAsync(input.Spec, _state.CommittedJson(input.Spec.Id) is null, cancellationToken);
        return new GroupChange(input.Spec.Id, plan.Description, Changed: false, plan.ConfigHash);
    }

    private async Task<GroupChange> UpdateAsync(SpecInput input, CancellationToken cancellationToken)
    {
        var (spec, json) = (input.Spec, input.Json);
        using var _ = Lock(spec.Id, "group update");
        if (_state.CommittedJson(spec.Id) is null)
        {
            throw new DeployException([new Diagnostic(Errors.UnknownName,
                $"group {spec.Id} is not watched; start managing it with {input.WatchHint}", File: input.Source)]);
        }

        Commit(spec, json);
        var change = await ConvergeAsync(spec, isNew: false, announce: true, cancellationToken);
        options.Events.Info($"Finished updating group {spec.Id}");
        return change;
    }

    // A loaded, valid spec and where it came from, so the file and JSON-text entry points share one path and each
    // error's fix names what the user sent (a file for the CLI, a method for a plugin socket).
    private sealed record SpecInput(GroupSpec Spec, string Json, string Source, string UpdateHint, string WatchHint)
    {
        public static SpecInput FromFile(string file, PluginRegistry plugins)
        {
            var (spec, json) = GroupSpecLoader.Load(file, plugins);
            return new(spec, json, file, $"'deploy group update {file}'", $"'deploy group watch {file}'");
        }

        public static SpecInput FromJson(string source, string text, PluginRegistry plugins)
        {
            var (spec, json) = GroupSpecLoader.Parse(source, text, plugins);
            return new(spec, json, source, "Group.Update (or 'deploy group update FILE')", "Group.Watch (or 'deploy group watch FILE')");
        }
    }

    /// <summary>
    /// Records <paramref name="json"/> as the desired state of <paramref name="spec"/>'s group and, the first time, the
    /// instance folder it is created in. Idempotent.
    /// </summary>
    public void Commit(GroupSpec spec, string json)
    {
        _state.Commit(spec.Id, json);
        if (spec.Properties.Instance is { } instance && plugins.Instance(instance.Plugin) is IFolderInstancePlugin folders)
        {
            _state.RecordInstanceFolder(spec.Id, folders.Directory);
        }
    }

    /// <summary>The members of a watched group.</summary>
    public async Task<IReadOnlyList<MemberView>> InspectAsync(string groupId, CancellationToken cancellationToken)
    {
        var spec = CommittedOrThrow(groupId);
        return await MembersAsync(spec, cancellationToken);
    }

    /// <summary>The instances of plugin <paramref name="pluginName"/> carrying every tag of <paramref name="tags"/>.</summary>
    public async Task<IReadOnlyList<MemberView>> DescribeInstancesAsync(string pluginName, IReadOnlyDictionary<string, string> tags, CancellationToken cancellationToken)
    {
        var found = await plugins.Instance(pluginName).DescribeAsync(tags, cancellationToken);
        return found.Select(ToView).ToList();
    }

    /// <summary>Every watched group with its desired and actual size.</summary>
    public async Task<IReadOnlyList<GroupSummary>> ListAsync(CancellationToken cancellationToken)
    {
        var list = new List<GroupSummary>();
        foreach (var id in _state.GroupIds())
        {
            var spec = _state.Committed(id, plugins, options.Environment)!.Spec;
            var members = await MembersAsync(spec, cancellationToken);
            list.Add(new GroupSummary(id, spec.Properties.Allocation.DesiredCount, members.Count, spec.Properties.Owner.Plugin, spec.Properties.Flavor?.Plugin ?? "-"));
        }

        return list;
    }

    /// <summary>Throws the "no such group" error unless <paramref name="groupId"/> is watched here. Read-only.</summary>
    public void CheckWatched(string groupId) => CommittedOrThrow(groupId);

    /// <summary>Stops managing a group; its instances keep running. Idempotent for a known group.</summary>
    public void Free(string groupId)
    {
        CommittedOrThrow(groupId);
        using var _ = Lock(groupId, "group free");
        _state.Forget(groupId);
    }

    /// <summary>Destroys every member of a group and forgets it.</summary>
    public async Task<int> DestroyAsync(string groupId, CancellationToken cancellationToken)
    {
        var spec = CommittedOrThrow(groupId);
        using var _ = Lock(groupId, "group destroy");
        var members = await DestroyMembersAsync(spec, cancellationToken);
        _state.Forget(groupId);
        return members;
    }

    /// <summary>Destroys every instance of <paramref name="spec"/>'s group (the spec need not be committed).</summary>
    public Task<int> DestroyMembersAsync(GroupSpec spec, CancellationToken cancellationToken) =>
        Owner(spec, new Dictionary<string, string>()).DestroyAsync(cancellationToken);

    /// <summary>The plan for <paramref name="spec"/> against the instances that exist now.</summary>
    public Task<GroupPlan> PlanAsync(GroupSpec spec, bool isNew, CancellationToken cancellationToken, string? configHash = null) =>
        Owner(spec, new Dictionary<string, string>()).PlanAsync(configHash ?? ConfigHash.Compute(spec.Properties), isNew, cancellationToken);

    /// <summary>Plans and runs <paramref name="spec"/>, journaling the update so an interrupted run is noticed.</summary>
    public async Task<GroupChange> ConvergeAsync(
        GroupSpec spec, bool isNew, bool announce, CancellationToken cancellationToken,
        IReadOnlyDictionary<string, string>? extraTags = null, string? configHash = null, IReadOnlyCollection<string>? secrets = null)
    {
        var journal = _state.Journal;
        if (journal.Pending(spec.Id) is { } pending)
        {
            if (pending.InFlightElsewhere)
            {
                throw new DeployException(Errors.Locked,
                    $"group {spec.Id} is being updated by pid {pending.Pid} (since {pending.Started:u}); wait for it to finish, or stop it");
            }

            options.Events.Warn(new Diagnostic(Errors.ResumedUpdate,
                $"an update of group {spec.Id} started {pending.Started:u} by pid {pending.Pid} did not finish; converging again"));
        }

        var plan = await PlanAsync(spec, isNew, cancellationToken, configHash);
        if (announce)
        {
            options.Events.Info($"Executing update plan for '{spec.Id}': {plan.Description}");
        }

        if (plan.IsNoop)
        {
            journal.Finish(spec.Id);
            return new GroupChange(spec.Id, plan.Description, Changed: false, plan.ConfigHash);
        }

        journal.Begin(spec.Id, plan.ConfigHash, plan.Description);
        try
        {
            await Owner(spec, extraTags ?? new Dictionary<string, string>(), secrets).ExecuteAsync(plan, cancellationToken);
        }
        catch
        {
            journal.Abandon(spec.Id); // this process lives on and holds no update: the next run may resume it
            throw;
        }

        journal.Finish(spec.Id);
        return new GroupChange(spec.Id, plan.Description, Changed: true, plan.ConfigHash);
    }

    /// <summary>Returns once <paramref name="spec"/>'s group is quiescent with instances tagged <paramref name="hash"/> (see <see cref="IGroupOwner.WaitQuiescentAsync"/>).</summary>
    public Task WaitQuiescentAsync(GroupSpec spec, string hash, CancellationToken cancellationToken) =>
        Owner(spec, new Dictionary<string, string>()).WaitQuiescentAsync(hash, cancellationToken);

    /// <summary>The members of <paramref name="spec"/>'s group as views.</summary>
    public async Task<IReadOnlyList<MemberView>> MembersAsync(GroupSpec spec, CancellationToken cancellationToken) =>
        (await Owner(spec, new Dictionary<string, string>()).ObserveAsync(cancellationToken)).Select(ToView).ToList();

    /// <summary>Takes the lock of group <paramref name="groupId"/> (exit 3 when held).</summary>
    public LockFile Lock(string groupId, string command) =>
        LockFile.Acquire(_state.LocksDirectory, LockName(groupId), command, options.Events);

    /// <summary>
    /// The owner that converges <paramref name="spec"/>'s group: its orchestrator when the spec names one, else Deploy's
    /// scaler over its instance and flavor plugins. <paramref name="extraTags"/> go on every instance it creates.
    /// </summary>
    public IGroupOwner Owner(GroupSpec spec, IReadOnlyDictionary<string, string> extraTags, IReadOnlyCollection<string>? secrets = null)
    {
        var converge = new ConvergeOptions
        {
            MaxParallel = options.MaxParallel, PollInterval = options.PollInterval, ExtraTags = extraTags, Secrets = secrets ?? [], BaseDirectory = spec.BaseDirectory,
        };
        var events = new SecretMask(secrets ?? []).Wrap(options.Events);
        if (spec.Properties.Orchestrator is { } orchestrator)
        {
            return new OrchestratorOwner(spec, plugins.Group(orchestrator.Plugin), converge, events);
        }

        var instances = InstancePlugin(spec);
        return new ScalerOwner(spec, instances, new GroupConverger(instances, plugins.Flavor(spec.Properties.FlavorSection.Plugin), converge, events));
    }

    private static string LockName(string groupId) => "group-" + groupId;

    // A group lives where it was created: another --file-dir (DEPLOY_FILE_DIR) never moves its instances.
    private IInstancePlugin InstancePlugin(GroupSpec spec)
    {
        var plugin = plugins.Instance(spec.Properties.InstanceSection.Plugin);
        return plugin is IFolderInstancePlugin folders && _state.InstanceFolder(spec.Id) is { } recorded ? folders.InFolder(recorded) : plugin;
    }

    private GroupSpec CommittedOrThrow(string groupId)
    {
        var bag = new DiagnosticBag();
        GroupSpecParser.CheckId(groupId, "group", bag);
        if (bag.HasErrors)
        {
            throw new DeployException(Errors.UnknownName, $"\"{groupId}\" is not a group ID");
        }

        return _state.Committed(groupId, plugins, options.Environment)?.Spec
            ?? throw new DeployException(Errors.UnknownName,
                $"no group \"{groupId}\" is watched here (state: {_state.Directory}); known groups: {Known()}");
    }

    private string Known() => _state.GroupIds() is { Count: > 0 } ids ? string.Join(", ", ids) : "none";

    private static bool SameSpec(string a, string b) =>
        GoJson.MarshalIndent(JsonSource.Parse("a", System.Text.Encoding.UTF8.GetBytes(a)).Root) ==
        GoJson.MarshalIndent(JsonSource.Parse("b", System.Text.Encoding.UTF8.GetBytes(b)).Root);

    internal static MemberView ToView(InstanceDescription i) => new(i.Id, GroupPlanner.LogicalIdOf(i), i.Tags, i.Endpoint);
}
