using ContainerState = Docker.DotNet.Models.State;

namespace Deploy.Engine.Plugins.Instance.Docker;

/// <summary>What Docker says of a container's health: its state, and its HEALTHCHECK's verdict when it has one.</summary>
public enum ContainerHealth
{
    /// <summary>Running, and its HEALTHCHECK passes.</summary>
    Healthy,
    /// <summary>Running; its HEALTHCHECK has not passed yet (start period, or first checks still to come).</summary>
    Starting,
    /// <summary>Running; its HEALTHCHECK failed as many times in a row as Retries allows.</summary>
    Unhealthy,
    /// <summary>Running, with no HEALTHCHECK: Docker knows nothing more than that the process lives.</summary>
    NoHealthcheck,
    /// <summary>Created, exited, dead, paused or restarting: not serving now.</summary>
    NotRunning,
    /// <summary>No such container (never created, or removed).</summary>
    Gone,
}

/// <summary>Reads <see cref="ContainerHealth"/> from an inspected container's state.</summary>
public static class ContainerHealthReading
{
    /// <summary>The health of a container whose state is <paramref name="state"/>; <see cref="ContainerHealth.Gone"/> for null.</summary>
    public static ContainerHealth From(ContainerState? state)
    {
        if (state is null)
        {
            return ContainerHealth.Gone;
        }

        if (!state.Running || state.Paused || state.Restarting)
        {
            return ContainerHealth.NotRunning;
        }

        return state.Health?.Status switch
        {
            "healthy" => ContainerHealth.Healthy,
            "starting" => ContainerHealth.Starting,
            "unhealthy" => ContainerHealth.Unhealthy,
            _ => ContainerHealth.NoHealthcheck, // null or "none"
        };
    }
}
