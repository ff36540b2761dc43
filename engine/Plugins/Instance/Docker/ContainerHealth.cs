using ContainerState = Docker.DotNet.Models.State;
using InstanceHealth = Deploy.Engine.Plugins.InstanceHealth;

namespace Deploy.Engine.Plugins.Instance.Docker;

/// <summary>Reads <see cref="InstanceHealth"/> from an inspected container's state.</summary>
public static class ContainerHealthReading
{
    /// <summary>The health of a container whose state is <paramref name="state"/>; <see cref="InstanceHealth.Gone"/> for null.</summary>
    public static InstanceHealth From(ContainerState? state)
    {
        if (state is null)
        {
            return InstanceHealth.Gone;
        }

        if (!state.Running || state.Paused || state.Restarting)
        {
            return InstanceHealth.NotRunning;
        }

        return state.Health?.Status switch
        {
            "healthy" => InstanceHealth.Healthy,
            "starting" => InstanceHealth.Starting,
            "unhealthy" => InstanceHealth.Unhealthy,
            _ => InstanceHealth.Unchecked, // null or "none"
        };
    }
}
