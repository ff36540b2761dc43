using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Deploy.Engine.Diagnostics;
using Deploy.Engine.Docker;
using Deploy.Engine.Events;
using Deploy.Engine.Plugins.Instance.Docker;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace Deploy.Engine.Plugins.Group.Swarm;

/// <summary>
/// <c>group-swarm</c>: a group is one Docker Swarm service (named after the group) with one task per replica, committed
/// through a manager's Docker API. Swarm places, restarts and reschedules the tasks; the engine reads them back with
/// their node's address and port as endpoints. See <see cref="SwarmServiceSpec"/> for the service it builds.
/// </summary>
public sealed class SwarmGroupPlugin : IGroupPlugin, IInstanceEndpoints, IInstanceDetails, IInstanceLogs, IPreparesInstances
{
    /// <summary>The plugin's name in specs.</summary>
    public const string PluginName = "group-swarm";

    private const string PropertiesPath = "$.Properties.Orchestrator.Properties";

    private readonly DockerEngines _engines;
    private readonly Func<string, string?> _environment;
    private readonly ImagePull _pull;

    // The tasks of the last inspection, for status details (which node, slot and image) and logs: read, never acted on.
    private readonly ConcurrentDictionary<string, SeenTask> _seen = new(StringComparer.Ordinal);

    /// <summary>A plugin reaching Swarm managers through <paramref name="engines"/>; <paramref name="environment"/> supplies <c>DOCKER_HOST</c>.</summary>
    public SwarmGroupPlugin(DockerEngines engines, IDeployEvents events, Func<string, string?>? environment = null)
    {
        _engines = engines;
        _environment = environment ?? Environment.GetEnvironmentVariable;
        _pull = new ImagePull(engines, events);
    }

    /// <inheritdoc />
    public string Name => PluginName;

    /// <inheritdoc />
    public string Description => "A group as one Docker Swarm service: Swarm owns its replicas across the nodes";

    /// <inheritdoc />
    public IEnumerable<Diagnostic> Validate(JsonElement? properties, int replicas, string path)
    {
        var bag = new DiagnosticBag();
        SwarmProperties.Read(properties, path, bag, _environment);
        if (replicas >= SwarmProperties.BlockSize)
        {
            // The port template appends a two-digit slot to the block's hundreds.
            bag.Add(Errors.OutOfRange, path, $"a group-swarm service runs at most {SwarmProperties.BlockSize - 1} replicas (each takes a port of its block of 100); {replicas} were asked: lower Allocation.Size");
        }

        return bag.Items;
    }

    /// <inheritdoc />
    public (string Noun, string Runs) Describe(JsonElement? properties) =>
        ("service", SwarmProperties.Read(properties, PropertiesPath, new DiagnosticBag(), _environment) is { } p ? $"image {p.Image}" : "its image");

    /// <inheritdoc />
    public Task<OrchestratedGroup?> InspectAsync(string groupId, JsonElement? properties, CancellationToken cancellationToken)
    {
        var p = Read(properties);
        return _engines.RunAsync(p.Host, $"reading service {groupId}", async client =>
        {
            if (await FindAsync(client, groupId, cancellationToken) is not { } service)
            {
                return null;
            }

            var tasks = (await client.Tasks.ListAsync(ServiceFilter(service.Id), cancellationToken)).Where(t => t.ServiceID == service.Id).ToList();
            var group = SwarmServiceSpec.Observe(service, tasks, await NodesAsync(client, cancellationToken));
            foreach (var task in group.Tasks)
            {
                _seen[task.Id] = new SeenTask(task, tasks.First(t => t.ID == task.Id).Spec?.ContainerSpec?.Image ?? "", p.Host, service.Id);
            }

            return group;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task CommitAsync(GroupCommit commit, CancellationToken cancellationToken)
    {
        var p = Read(commit.Properties);
        var auth = RegistryCredentials.For(p.Image.Repository, p.RegistryAuth, _environment);
        return _engines.RunAsync(p.Host, $"committing service {commit.GroupId}", async client =>
        {
            var existing = await FindAsync(client, commit.GroupId, cancellationToken);
            if (existing is not null && !commit.Retry && existing.Labels.TryGetValue(Planning.GroupPlanner.HashTag, out var hash) && hash == commit.ConfigHash
                && existing.Spec.Mode?.Replicated?.Replicas == (ulong)commit.Replicas)
            {
                return true; // committed already: an update with the same spec would only restart nothing
            }

            var portBase = await PortBaseAsync(client, p, existing, commit.GroupId, cancellationToken);
            var force = (existing?.Spec.TaskTemplate?.ForceUpdate ?? 0) + (commit.Retry ? 1UL : 0UL);
            var spec = SwarmServiceSpec.Build(commit, p, portBase, force);
            // Without a login, no X-Registry-Auth header at all (the image is public, or the nodes are logged in).
            if (existing is null)
            {
                var create = new ServiceCreateParameters { Service = spec };
                if (auth is not null)
                {
                    create.RegistryAuth = auth;
                }

                await client.Swarm.CreateServiceAsync(create, cancellationToken);
            }
            else
            {
                var update = new ServiceUpdateParameters { Service = spec, Version = existing.Version };
                if (auth is not null)
                {
                    update.RegistryAuth = auth;
                }

                await client.Swarm.UpdateServiceAsync(existing.Id, update, cancellationToken);
            }

            return true;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task DestroyAsync(string groupId, JsonElement? properties, CancellationToken cancellationToken)
    {
        var p = Read(properties);
        return _engines.RunAsync(p.Host, $"removing service {groupId}", async client =>
        {
            if (await FindAsync(client, groupId, cancellationToken) is not { } service)
            {
                return true;
            }

            // Scaled to nothing first: a node reports a task shut down once its process has exited, so when every task is
            // down no port of the service is held any more (Swarm forgets the tasks of a removed service sooner than
            // that, and a deploy right after could find a port taken).
            if (service.Spec.Mode?.Replicated is { Replicas: > 0 } replicated)
            {
                replicated.Replicas = 0;
                await client.Swarm.UpdateServiceAsync(service.Id, new ServiceUpdateParameters { Service = service.Spec, Version = service.Version }, cancellationToken);
                await SwarmTasks.WaitUntilDownAsync(client, service.Id, TimeSpan.FromSeconds(30), cancellationToken);
                // Then until Swarm's task reaper has deleted the scaled-down tasks: the manager of docker 20.10 panics
                // (a nil task in SetServiceTasksRemove) when a service is removed while the reaper deletes its tasks.
                var down = (await client.Tasks.ListAsync(ServiceFilter(service.Id), cancellationToken)).Select(t => t.ID).ToList();
                await SwarmTasks.WaitUntilGoneAsync(client, down, TimeSpan.FromSeconds(10), cancellationToken);
            }

            var tasks = (await client.Tasks.ListAsync(ServiceFilter(service.Id), cancellationToken)).Select(t => t.ID).ToList();
            await client.Swarm.RemoveServiceAsync(service.Id, cancellationToken);
            await SwarmTasks.WaitUntilGoneAsync(client, tasks, TimeSpan.FromSeconds(30), cancellationToken);
            return true;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public async Task PrepareAsync(JsonElement? properties, IReadOnlyCollection<string> secrets, CancellationToken cancellationToken)
    {
        var p = Read(properties);
        await _pull.EnsureAsync(p.Host, p.Image, PullPolicy.Missing, p.RegistryAuth, cancellationToken);
        var nodes = await _engines.RunAsync(p.Host, "listing the Swarm's nodes", c => NodesAsync(c, cancellationToken), cancellationToken);
        var constraints = p.Constraints.Select(c => SwarmConstraint.TryParse(c)!).ToList();
        if (!nodes.Values.Any(n => n.Ready && constraints.All(c => c.Matches(n))))
        {
            throw new DeployException(Errors.PluginFailed,
                $"no ready node of the Swarm at {p.Host} meets the constraints {string.Join(", ", constraints)} (nodes: {string.Join(", ", nodes.Values.OrderBy(n => n.Hostname))}); fix Constraints in the Orchestrator's properties, or label a node to match");
        }
    }

    /// <inheritdoc />
    public string DescribePreparation(JsonElement? properties) =>
        SwarmProperties.Read(properties, PropertiesPath, new DiagnosticBag(), _environment) is { } p
            ? $"pulls {p.Image} on the Swarm manager when it lacks it and checks that a ready node meets the constraints"
            : "pulls the image";

    /// <inheritdoc />
    public Task<IReadOnlyList<KeyValuePair<string, string>>> DetailsAsync(string instanceId, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<KeyValuePair<string, string>>>(_seen.TryGetValue(instanceId, out var seen)
            ? [new("node", seen.Task.Node), new("slot", seen.Task.Slot.ToString(System.Globalization.CultureInfo.InvariantCulture)), new("image", seen.Image)]
            : []);

    /// <inheritdoc />
    public async Task<string?> LogTailAsync(string instanceId, int lines, CancellationToken cancellationToken)
    {
        if (!_seen.TryGetValue(instanceId, out var seen))
        {
            return null;
        }

        // Swarm gathers a service's logs from every node; one that is down would hold the answer back.
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(TimeSpan.FromSeconds(5));
        try
        {
            return await _engines.RunAsync(seen.Host, $"reading the log of task {instanceId}",
                client => SwarmTasks.LogTailAsync(client, seen.ServiceId, instanceId, lines, limit.Token), limit.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    private SwarmProperties Read(JsonElement? properties)
    {
        var bag = new DiagnosticBag();
        var p = SwarmProperties.Read(properties, PropertiesPath, bag, _environment);
        bag.ThrowIfErrors();
        return p!;
    }

    // A service keeps its block; a new one takes the lowest block of Ports no other service on the Swarm holds.
    private static async Task<int> PortBaseAsync(DockerClient client, SwarmProperties p, ObservedService? existing, string groupId, CancellationToken ct)
    {
        var blocks = p.Blocks().ToList();
        if (existing?.Labels.TryGetValue(SwarmServiceSpec.PortBaseLabel, out var kept) == true && int.TryParse(kept, out var own) && blocks.Contains(own))
        {
            return own;
        }

        var taken = (await client.Swarm.ListServicesAsync(cancellationToken: ct))
            .Select(ObservedService.From)
            .OfType<ObservedService>()
            .Where(s => s.Name != groupId && s.Labels.ContainsKey(SwarmServiceSpec.PortBaseLabel))
            .Select(s => (s.Name, Block: s.Labels[SwarmServiceSpec.PortBaseLabel]))
            .GroupBy(s => s.Block)
            .ToDictionary(g => g.Key, g => string.Join(", ", g.Select(s => s.Name).Order(StringComparer.Ordinal)));
        foreach (var block in blocks.Where(b => !taken.ContainsKey(b.ToString(System.Globalization.CultureInfo.InvariantCulture))))
        {
            return block;
        }

        throw new DeployException(Errors.PluginFailed,
            $"every block of 100 ports in Ports {p.Ports.From}-{p.Ports.To} is held by another service ({string.Join(", ", taken.Values.Order())}); widen Ports by 100 for each service");
    }

    private static async Task<ObservedService?> FindAsync(DockerClient client, string name, CancellationToken ct)
    {
        try
        {
            var service = ObservedService.From(await client.Swarm.InspectServiceAsync(name, ct));
            return service?.Name == name ? service : null; // an ID prefix could match another service
        }
        catch (DockerApiException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    private sealed record SeenTask(GroupTask Task, string Image, DockerHostAddress Host, string ServiceId);

    internal static TasksListParameters ServiceFilter(string serviceId) =>
        new() { Filters = new Dictionary<string, IDictionary<string, bool>> { ["service"] = new Dictionary<string, bool> { [serviceId] = true } } };

    private static async Task<IReadOnlyDictionary<string, SwarmNode>> NodesAsync(DockerClient client, CancellationToken ct) =>
        (await client.Swarm.ListNodesAsync(ct)).Select(SwarmTasks.Node).ToDictionary(n => n.Id, StringComparer.Ordinal);
}
