namespace Deploy.Action.Runner;

/// <summary>
/// The state folder the engine works in. The input <c>state</c> (or <c>DEPLOY_STATE</c>) when given, relative to the
/// workspace. Otherwise <c>.deploy</c> in the workspace, the next run's only way to know what is live, unless the app
/// keeps its state on a target (a Docker engine): the folder is then a working copy filled from the target and sent
/// back, so it goes to a temporary folder in the Action's container, removed after the step. A Docker action runs as
/// root, and root-owned files left in a self-hosted runner's workspace make the next checkout fail to clean it.
/// </summary>
internal sealed class StateFolder : IDisposable
{
    private readonly bool _temporary;

    private StateFolder(string path, bool temporary)
    {
        Path = path;
        _temporary = temporary;
    }

    /// <summary>The folder's full path.</summary>
    public string Path { get; }

    /// <summary>The folder for this step; <paramref name="given"/> always wins.</summary>
    public static StateFolder Choose(string? given, bool stateOnTarget, RunnerContext ctx) =>
        given is null && stateOnTarget
            ? new StateFolder(Directory.CreateTempSubdirectory("deploy-state-").FullName, temporary: true)
            : new StateFolder(ctx.InWorkspace(given ?? ".deploy"), temporary: false);

    /// <summary>Removes a temporary working copy; a given folder or the workspace's <c>.deploy</c> stays.</summary>
    public void Dispose()
    {
        if (!_temporary)
        {
            return;
        }

        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A leftover in the container's temp folder goes with the container.
        }
    }
}
