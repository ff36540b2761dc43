using System.Formats.Tar;
using System.Text.Json;
using Deploy.Engine.Diagnostics;
using Deploy.Engine.Docker;
using Deploy.Engine.Events;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace Deploy.Engine.State.Target;

/// <summary>
/// An app's state kept on its Docker engine, one rule for every Docker target: a container that never runs,
/// <c>deploy-state-APP</c>, holds the snapshot in a volume of the same name; the lock is a second such container,
/// <c>deploy-lock-APP</c>, whose creation is atomic (the engine refuses a second container of one name) and whose
/// <c>/lease</c> file says until when its holder is alive. Both come from a tiny image Deploy imports itself, so no
/// registry is needed. Everything goes through the Docker API, so it works wherever the engine is.
/// </summary>
public sealed class DockerTargetState(DockerEngines engines, DockerHostAddress host, IDeployEvents events, TimeSpan? lease = null) : ITargetState
{
    /// <summary>How long a lease lasts unless renewed; its holder renews it every third of that. Overridden by <c>DEPLOY_LEASE</c>.</summary>
    public static readonly TimeSpan DefaultLease = TimeSpan.FromSeconds(60);

    /// <summary>The image the state and lock containers are made from: one empty folder, imported, never run.</summary>
    public const string Image = "deploy-state:1";

    private const string SnapshotPath = "/state/snapshot.json";
    private const string LeasePath = "/lease";

    private TimeSpan Lease => lease ?? DefaultLease;

    /// <inheritdoc />
    public string Where => $"Docker engine {host}";

    /// <inheritdoc />
    public async Task<IAsyncDisposable> LeaseAsync(string app, string command, CancellationToken cancellationToken)
    {
        var name = $"deploy-lock-{app}";
        var me = ProcessOwner.Current;
        var owner = $"pid {me.Pid} on {me.Host}";
        await EnsureImageAsync(cancellationToken);
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var id = await TryCreateAsync(name, app, "lock", owner, command, cancellationToken);
            if (id is not null)
            {
                await WriteLeaseAsync(id, owner, command, cancellationToken);
                return new Held(this, id, owner, command, app);
            }

            var held = await ReadLeaseAsync(name, cancellationToken);
            if (held is null)
            {
                continue; // released between the two looks
            }

            if (held.Expires > DateTimeOffset.UtcNow)
            {
                throw new DeployException(Errors.Locked,
                    $"{app} is locked on {Where} by {held.Owner} running '{held.Command}'; its lease runs until {held.Expires:u} " +
                    "and is renewed while that run lives: wait for it, or, if that run was killed, retry after the lease expires");
            }

            await engines.RunAsync(host, "removing an expired lock", async c =>
            {
                await RemoveAsync(c, held.Id, cancellationToken);
                return true;
            }, cancellationToken);
            events.Warn(new Diagnostic(Errors.StaleLock,
                $"{app}: the lock on {Where} held by {held.Owner} ('{held.Command}') expired at {held.Expires:u} without being renewed (that run was cancelled or killed); taken over"));
        }

        throw new DeployException(Errors.Locked, $"{app} is locked on {Where} by another run that keeps taking it; retry");
    }

    /// <inheritdoc />
    public async Task PullAsync(string app, IReadOnlyList<string> groupIds, string stateDirectory, CancellationToken cancellationToken)
    {
        var bytes = await engines.RunAsync(host, "reading the app's state", async c =>
        {
            try
            {
                return await ContainerFiles.ReadAsync(c, $"deploy-state-{app}", SnapshotPath, cancellationToken);
            }
            catch (DockerContainerNotFoundException)
            {
                return null;
            }
        }, cancellationToken);
        StateSnapshot.Write(app, groupIds, stateDirectory, StateSnapshot.Deserialize(bytes, Where));
    }

    /// <inheritdoc />
    public async Task PushAsync(string app, IReadOnlyList<string> groupIds, string stateDirectory, CancellationToken cancellationToken)
    {
        var bytes = StateSnapshot.Serialize(StateSnapshot.Read(app, groupIds, stateDirectory));
        await EnsureImageAsync(cancellationToken);
        var name = $"deploy-state-{app}";
        var id = await TryCreateAsync(name, app, "state", owner: null, command: null, cancellationToken) ?? name;
        await engines.RunAsync(host, "saving the app's state", async c =>
        {
            await ContainerFiles.WriteAsync(c, id, SnapshotPath, bytes, cancellationToken);
            return true;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task ForgetAsync(string app, CancellationToken cancellationToken) =>
        engines.RunAsync(host, "removing the app's state", async c =>
        {
            await RemoveAsync(c, $"deploy-state-{app}", cancellationToken);
            try
            {
                await c.Volumes.RemoveAsync($"deploy-state-{app}", force: true, cancellationToken);
            }
            catch (DockerApiException e) when (e.StatusCode == System.Net.HttpStatusCode.NotFound)
            {
            }

            return true;
        }, cancellationToken);

    // Creates a never-started container of that name from the state image; null when one of that name exists.
    private Task<string?> TryCreateAsync(string name, string app, string role, string? owner, string? command, CancellationToken ct) =>
        engines.RunAsync(host, $"creating the {role} container {name}", async c =>
        {
            var labels = new Dictionary<string, string> { ["deploy.app"] = app, ["deploy.role"] = role };
            if (owner is not null)
            {
                labels["deploy.lock.owner"] = owner;
                labels["deploy.lock.command"] = command!;
            }

            try
            {
                var created = await c.Containers.CreateContainerAsync(new CreateContainerParameters
                {
                    Name = name,
                    Image = Image,
                    Cmd = ["/never-started"],
                    Labels = labels,
                    NetworkDisabled = true,
                    HostConfig = role == "state" ? new HostConfig { Binds = [$"deploy-state-{app}:/state"] } : new HostConfig(),
                }, ct);
                return created.ID;
            }
            catch (DockerApiException e) when (e.StatusCode == System.Net.HttpStatusCode.Conflict)
            {
                return null;
            }
        }, ct);

    private async Task WriteLeaseAsync(string id, string owner, string command, CancellationToken ct)
    {
        var lease = JsonSerializer.SerializeToUtf8Bytes(new LeaseFile(owner, command, DateTimeOffset.UtcNow + Lease));
        await engines.RunAsync(host, "renewing the lock's lease", async c =>
        {
            await ContainerFiles.WriteAsync(c, id, LeasePath, lease, ct);
            return true;
        }, ct);
    }

    // The lock container's ID and lease; null when there is none. A lock without a readable lease (its holder died
    // between creating it and writing the lease) expires a lease's length after it was created.
    private Task<LockSeen?> ReadLeaseAsync(string name, CancellationToken ct) =>
        engines.RunAsync<LockSeen?>(host, "reading the lock", async c =>
        {
            ContainerInspectResponse inspect;
            try
            {
                inspect = await c.Containers.InspectContainerAsync(name, ct);
            }
            catch (DockerContainerNotFoundException)
            {
                return null;
            }

            var labels = inspect.Config?.Labels ?? new Dictionary<string, string>();
            var owner = labels.TryGetValue("deploy.lock.owner", out var o) ? o : "an unknown run";
            var command = labels.TryGetValue("deploy.lock.command", out var cmd) ? cmd : "?";
            var bytes = await ContainerFiles.ReadAsync(c, inspect.ID, LeasePath, ct);
            var lease = bytes is null ? null : JsonSerializer.Deserialize<LeaseFile>(bytes);
            return new LockSeen(inspect.ID, owner, command, lease?.Expires ?? inspect.Created + Lease);
        }, ct);

    private static async Task RemoveAsync(DockerClient c, string id, CancellationToken ct)
    {
        try
        {
            await c.Containers.RemoveContainerAsync(id, new ContainerRemoveParameters { Force = true }, ct);
        }
        catch (DockerContainerNotFoundException)
        {
        }
    }

    // The image: a tar of one empty /state folder, imported (no registry, no pull); importing twice is harmless.
    private Task EnsureImageAsync(CancellationToken ct) =>
        engines.RunAsync(host, $"preparing the image {Image}", async c =>
        {
            try
            {
                await c.Images.InspectImageAsync(Image, ct);
                return true;
            }
            catch (DockerImageNotFoundException)
            {
            }

            using var tar = new MemoryStream();
            await using (var writer = new TarWriter(tar, TarEntryFormat.Pax, leaveOpen: true))
            {
                await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.Directory, "state/") { Mode = (UnixFileMode)0x1ED }, ct);
            }

            tar.Position = 0;
            await c.Images.CreateImageAsync(new ImagesCreateParameters { FromSrc = "-", Repo = "deploy-state", Tag = "1" }, tar, null, new Progress<JSONMessage>(), ct);
            return true;
        }, ct);

    private sealed record LeaseFile(string Owner, string Command, DateTimeOffset Expires);

    private sealed record LockSeen(string Id, string Owner, string Command, DateTimeOffset Expires);

    private void Warn(string message) => events.Warn(new Diagnostic(Errors.StaleLock, message));

    private Task ReleaseAsync(string id) => engines.RunAsync(host, "releasing the lock", async c =>
    {
        await RemoveAsync(c, id, CancellationToken.None);
        return true;
    }, CancellationToken.None);

    // The held lease: renewed every third of its length until disposed, then removed.
    private sealed class Held : IAsyncDisposable
    {
        private readonly DockerTargetState _state;
        private readonly string _id;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _renewing;

        public Held(DockerTargetState state, string id, string owner, string command, string app)
        {
            _state = state;
            _id = id;
            _renewing = Task.Run(async () =>
            {
                while (!_stop.IsCancellationRequested)
                {
                    try
                    {
                        await Task.Delay(state.Lease / 3, _stop.Token);
                        await state.WriteLeaseAsync(id, owner, command, _stop.Token);
                    }
                    catch (OperationCanceledException)
                    {
                        return;
                    }
                    catch (Exception e)
                    {
                        state.Warn($"{app}: the lock's lease on {state.Where} could not be renewed: {e.Message.Split('\n')[0]}");
                    }
                }
            });
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _renewing;
            await _state.ReleaseAsync(_id);
            _stop.Dispose();
        }
    }
}
