using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using Deploy.Engine.Diagnostics;
using Deploy.Engine.Docker;
using Deploy.Engine.Events;
using Deploy.Engine.Json;
using Deploy.Engine.Planning;
using Deploy.Engine.State;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace Deploy.Engine.Plugins.Instance.Docker;

/// <summary>
/// Instances as containers on a Docker engine. Each takes a free host port from <c>Ports.Host</c>; its ID is the
/// container's name (<c>&lt;group&gt;-&lt;8 hex&gt;</c>). Tags are labels, so containers are found again by the engine
/// alone: the plugin keeps no state, and containers outlive the CLI and, by their restart policy, the engine's restarts.
/// </summary>
public sealed partial class DockerInstancePlugin : IInstancePlugin, IInstanceEndpoints, IInstanceLogs, IInstanceHealth, IInstanceDetails, IPreparesInstances
{
    /// <summary>The plugin's name in specs.</summary>
    public const string PluginName = "instance-docker";

    private const string PropertiesPath = "$.Properties.Instance.Properties";

    private readonly DockerEngines _engines;
    private readonly IDeployEvents _events;
    private readonly Func<string, string?> _environment;
    private readonly KnownEngines _known;
    private readonly ImagePull _pull;

    // Secret values provisioned by this process: masked in every message and log tail, with those the labels name.
    private readonly ConcurrentDictionary<string, byte> _secrets = new(StringComparer.Ordinal);

    // Choosing a port and creating the container that holds it must not interleave, or two provisions could take one port.
    private readonly SemaphoreSlim _provisioning = new(1, 1);

    /// <summary>
    /// A plugin that reaches engines through <paramref name="engines"/>. <paramref name="environment"/> supplies
    /// <c>DOCKER_HOST</c> (default: the process's environment).
    /// </summary>
    public DockerInstancePlugin(DockerEngines engines, IDeployEvents events, Func<string, string?>? environment = null)
    {
        _engines = engines;
        _events = events;
        _environment = environment ?? Environment.GetEnvironmentVariable;
        _known = new KnownEngines(_environment);
        _pull = new ImagePull(engines, events);
    }

    public string Name => PluginName;

    public string Description => "Instances as containers on a Docker engine, with a free host port each";

    /// <summary>Checks the properties without calling Docker; the engine they name is remembered for describe and destroy.</summary>
    public IEnumerable<Diagnostic> Validate(JsonElement? properties, string path)
    {
        var bag = new DiagnosticBag();
        if (DockerProperties.Read(properties, path, bag, _environment) is { } read)
        {
            _known.Remember(read.Host);
        }

        return bag.Items;
    }

    /// <summary>Pulls the image as <c>Pull</c> says (a second call finds it there), before a rolling update destroys anything.</summary>
    public async Task PrepareAsync(JsonElement? properties, IReadOnlyCollection<string> secrets, CancellationToken cancellationToken)
    {
        var bag = new DiagnosticBag();
        var read = DockerProperties.Read(properties, PropertiesPath, bag, _environment);
        bag.ThrowIfErrors();
        _known.Remember(read!.Host);
        await _pull.EnsureAsync(read.Host, read.Image, read.Pull, read.RegistryAuth, cancellationToken);
    }

    /// <inheritdoc />
    public string DescribePreparation(JsonElement? properties)
    {
        var read = DockerProperties.Read(properties, PropertiesPath, new DiagnosticBag(), _environment);
        return read is null ? "pulls the image" : read.Pull switch
        {
            PullPolicy.Always => $"pulls {read.Image}",
            PullPolicy.Never => $"checks that the engine has {read.Image}",
            _ => $"pulls {read.Image} when the engine lacks it",
        };
    }

    /// <summary>Pulls as configured, creates and starts one container, and returns its name. Calling it twice creates two.</summary>
    public async Task<string> ProvisionAsync(InstanceSpec spec, CancellationToken cancellationToken)
    {
        var bag = new DiagnosticBag();
        var properties = DockerProperties.Read(spec.Properties, PropertiesPath, bag, _environment);
        bag.ThrowIfErrors();
        var host = properties!.Host;
        _known.Remember(host);
        foreach (var secret in spec.Secrets.Where(s => s.Length > 0))
        {
            _secrets.TryAdd(secret, 0);
        }

        var mask = Mask();
        return await Masked(mask, async () =>
        {
            RefuseSecretLabels(properties, spec.Secrets);
            await _pull.EnsureAsync(host, properties.Image, properties.Pull, properties.RegistryAuth, cancellationToken);

            string name;
            Endpoint endpoint;
            await _provisioning.WaitAsync(cancellationToken);
            try
            {
                // A container a killed run created but never started holds a port and is no instance: it goes first.
                await UnstartedContainers.CollectAsync(_engines, host, PluginName, _events, cancellationToken);
                var port = await HostPorts.FreeAsync(_engines, host, properties, cancellationToken);
                endpoint = ContainerDefinition.EndpointFor(properties, port);
                var secretEnv = ContainerDefinition.SecretVariables(ContainerDefinition.Env(properties, port), spec.Secrets);
                var userLabels = properties.Labels.ToDictionary(l => l.Key, l => DockerProperties.WithPort(l.Value, port), StringComparer.Ordinal);
                var labels = ContainerLabels.For(PluginName, userLabels, spec, endpoint, secretEnv, mask.Apply);
                labels[UnstartedContainers.ProvisionerLabel] = UnstartedContainers.LabelOf(ProcessOwner.Current);
                name = await CreateAsync(host, properties, NamePrefix(spec), port, labels, cancellationToken);
            }
            finally
            {
                _provisioning.Release();
            }

            try
            {
                await _engines.RunAsync(host, $"starting container {name}",
                    client => client.Containers.StartContainerAsync(name, new ContainerStartParameters(), cancellationToken), cancellationToken);
            }
            catch
            {
                // No partial state: a container that never started is not left behind for describe to find.
                await RemoveAsync(host, name, CancellationToken.None);
                throw;
            }

            _events.Info($"Started container {name} ({properties.Image}) on {endpoint.Authority} at the Docker engine at {host}");
            return name;
        });
    }

    /// <summary>Stops the container (its StopTimeout, then SIGKILL) and removes it. Idempotent: a container already gone succeeds.</summary>
    public async Task DestroyAsync(string instanceId, CancellationToken cancellationToken)
    {
        Checked(instanceId);
        foreach (var host in _known.All())
        {
            var container = await InspectAsync(host, instanceId, cancellationToken);
            if (container is null)
            {
                continue;
            }

            if (container.Config?.Labels?.ContainsKey(ContainerLabels.Plugin) != true)
            {
                throw new DeployException(Errors.Refused,
                    $"container {instanceId} on the Docker engine at {host} was not created by Deploy (it has no {ContainerLabels.Plugin} label); remove it with docker rm if it should go");
            }

            _events.Info($"Stopping container {instanceId} at the Docker engine at {host}");
            await _engines.RunAsync(host, $"stopping container {instanceId}", async client =>
            {
                try
                {
                    return await client.Containers.StopContainerAsync(instanceId, new ContainerStopParameters(), cancellationToken);
                }
                catch (DockerContainerNotFoundException)
                {
                    return true;
                }
            }, cancellationToken);
            await RemoveAsync(host, instanceId, cancellationToken);
        }
    }

    /// <summary>
    /// Every container of the plugin whose labels carry all of <paramref name="tags"/>, in any state except created and
    /// never started (see <see cref="UnstartedContainers"/>). Read-only.
    /// </summary>
    public async Task<IReadOnlyList<InstanceDescription>> DescribeAsync(IReadOnlyDictionary<string, string> tags, CancellationToken cancellationToken)
    {
        var found = new List<InstanceDescription>();
        foreach (var host in _known.All())
        {
            foreach (var c in (await ListAsync(host, tags, cancellationToken)).Where(c => !UnstartedContainers.IsUnstarted(c)))
            {
                var logicalId = c.Labels is not null && c.Labels.TryGetValue(ContainerLabels.LogicalId, out var l) ? l : null;
                found.Add(new InstanceDescription(NameOf(c), logicalId, ContainerLabels.Tags(c.Labels), ContainerLabels.EndpointOf(c.Labels)));
            }
        }

        return found.OrderBy(d => d.Id, InstanceIdComparer.Instance).ToList();
    }

    private async Task<string> CreateAsync(DockerHostAddress host, DockerProperties properties, string prefix, int port,
        Dictionary<string, string> labels, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var name = $"{prefix}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}";
            var parameters = ContainerDefinition.Create(properties, name, port, labels);
            var created = await _engines.RunAsync(host, $"creating container {name} from {properties.Image}", async client =>
            {
                try
                {
                    await client.Containers.CreateContainerAsync(parameters, cancellationToken);
                    return true;
                }
                catch (DockerApiException e) when (e.StatusCode == System.Net.HttpStatusCode.Conflict && attempt < 5)
                {
                    return false; // the name is taken: draw another
                }
            }, cancellationToken);
            if (created)
            {
                return name;
            }
        }
    }

    private Task RemoveAsync(DockerHostAddress host, string name, CancellationToken cancellationToken) =>
        _engines.RunAsync(host, $"removing container {name}", async client =>
        {
            try
            {
                await client.Containers.RemoveContainerAsync(name, new ContainerRemoveParameters { Force = true, RemoveVolumes = true }, cancellationToken);
            }
            catch (DockerContainerNotFoundException)
            {
            }
            catch (DockerApiException e) when (e.StatusCode == System.Net.HttpStatusCode.Conflict && e.ResponseBody?.Contains("already in progress", StringComparison.Ordinal) == true)
            {
            }

            return true;
        }, cancellationToken);

    private Task<IList<ContainerListResponse>> ListAsync(DockerHostAddress host, IReadOnlyDictionary<string, string> tags, CancellationToken cancellationToken) =>
        _engines.RunAsync(host, "listing containers", client => client.Containers.ListContainersAsync(
            new ContainersListParameters { All = true, Filters = ContainerLabels.Filter(PluginName, tags) }, cancellationToken), cancellationToken);

    // The inspected container, or null when the engine has none of that name or ID.
    private Task<ContainerInspectResponse?> InspectAsync(DockerHostAddress host, string container, CancellationToken cancellationToken) =>
        _engines.RunAsync<ContainerInspectResponse?>(host, $"inspecting container {container}", async client =>
        {
            try
            {
                return await client.Containers.InspectContainerAsync(container, cancellationToken);
            }
            catch (DockerContainerNotFoundException)
            {
                return null;
            }
        }, cancellationToken);

    private static string NameOf(ContainerListResponse c) => c.Names?.FirstOrDefault()?.TrimStart('/') ?? c.ID[..12];

    // The group's ID names its containers, so `docker ps` reads like the spec; IDs are already valid container names.
    private static string NamePrefix(InstanceSpec spec) =>
        spec.Tags.TryGetValue(GroupPlanner.GroupTag, out var group) && ContainerName().IsMatch(group) && group.Length <= 100 ? group : "deploy";

    private static string Checked(string instanceId) =>
        ContainerName().IsMatch(instanceId) ? instanceId
        : throw new DeployException(Errors.InvalidId, $"\"{instanceId}\" is not a container name of the Docker plugin (<group>-<8 hex>)");

    private void RefuseSecretLabels(DockerProperties properties, IReadOnlyCollection<string> secrets)
    {
        var bag = new DiagnosticBag();
        foreach (var (key, value) in properties.Labels.Where(l => secrets.Any(s => s.Length > 0 && l.Value.Contains(s, StringComparison.Ordinal))))
        {
            bag.Add(Errors.InvalidValue, JsonPath.Child(JsonPath.Child(PropertiesPath, "Labels"), key),
                $"holds a secret ({value}); labels are readable by anyone who can list containers, so pass it in Env instead");
        }

        bag.ThrowIfErrors();
    }

    private SecretMask Mask(IEnumerable<string>? more = null) => new(_secrets.Keys.Concat(more ?? []));

    // Docker's own messages may quote the request (a variable, an argument): every message leaving the plugin is masked.
    private static async Task<T> Masked<T>(SecretMask mask, Func<Task<T>> body)
    {
        try
        {
            return await body();
        }
        catch (DeployException e)
        {
            throw new DeployException(e.Diagnostics.Select(mask.Apply).ToList()) { Details = e.Details is null ? null : mask.Apply(e.Details) };
        }
    }

    [GeneratedRegex("^[a-zA-Z0-9][a-zA-Z0-9_.-]*$")]
    private static partial Regex ContainerName();
}
