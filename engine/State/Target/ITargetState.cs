namespace Deploy.Engine.State.Target;

/// <summary>
/// Where an app's state lives when its target is not this machine: the lock, the committed colour specs and the history
/// are kept with the target itself, so a fresh CI runner knows what is live and two runs against one target exclude
/// each other. The local state folder is then a working copy: filled from the target before a command, sent back after.
/// </summary>
public interface ITargetState
{
    /// <summary>Where the state is kept, for messages (e.g. <c>Docker engine unix:///var/run/docker.sock</c>).</summary>
    string Where { get; }

    /// <summary>
    /// Takes the app's lease on the target for a command that changes something; throws DEPLOY2001 (exit 3) naming the
    /// holder when another live run holds it. An expired lease (its holder was killed or cancelled) is taken over with
    /// a warning. The holder renews it while it runs; disposing the result releases it. Taking it twice takes two.
    /// </summary>
    Task<IAsyncDisposable> LeaseAsync(string app, string command, CancellationToken cancellationToken);

    /// <summary>Replaces the app's files in <paramref name="stateDirectory"/> with the target's copy (none: removes them). Idempotent.</summary>
    Task PullAsync(string app, IReadOnlyList<string> groupIds, string stateDirectory, CancellationToken cancellationToken);

    /// <summary>Sends the app's files in <paramref name="stateDirectory"/> to the target, replacing its copy whole. Idempotent.</summary>
    Task PushAsync(string app, IReadOnlyList<string> groupIds, string stateDirectory, CancellationToken cancellationToken);

    /// <summary>Removes everything the target keeps for the app (after <c>destroy</c>). Idempotent.</summary>
    Task ForgetAsync(string app, CancellationToken cancellationToken);
}
