using System.Diagnostics;
using Deploy.Engine.Diagnostics;
using Deploy.Engine.Events;
using Deploy.Engine.Planning;
using Deploy.Engine.Plugins.Flavor;
using Deploy.Engine.Plugins.Instance;
using Deploy.Engine.Spec;

namespace Deploy.Engine.Converge;

/// <summary>
/// Waits until a group is quiescent: the desired number of instances exist and every instance carrying the
/// new config hash is Healthy. Bounded by <c>Updating.Deadline</c>; on expiry the update stops with an error.
/// </summary>
internal sealed class Quiescence(IInstancePlugin instances, IFlavorPlugin flavor, ConvergeOptions options, IDeployEvents events)
{
    /// <summary>Returns once at least <paramref name="expected"/> instances exist and all new ones are healthy.</summary>
    public async Task WaitAsync(GroupSpec spec, string hash, int expected, CancellationToken cancellationToken)
    {
        var deadline = spec.Properties.Updating.EffectiveDeadline;
        var clock = Stopwatch.StartNew();
        var tags = new Dictionary<string, string> { [GroupPlanner.GroupTag] = spec.Id };
        while (true)
        {
            var observed = await instances.DescribeAsync(tags, cancellationToken);
            var unhealthy = new List<string>();
            foreach (var instance in observed.Where(i => GroupPlanner.IsDesired(i, hash)))
            {
                var health = await flavor.HealthAsync(spec.Properties.FlavorSection.Properties, instance, cancellationToken);
                if (health != InstanceHealth.Healthy)
                {
                    unhealthy.Add($"{instance.Id} is {health}");
                }
            }

            if (observed.Count >= expected && unhealthy.Count == 0)
            {
                events.Info("Scaler has quiesced");
                return;
            }

            if (clock.Elapsed >= deadline)
            {
                var why = unhealthy.Count > 0
                    ? string.Join("; ", unhealthy)
                    : $"{observed.Count} of {expected} instances exist";
                throw new DeployException(Errors.NotQuiescent,
                    $"group {spec.Id} did not become quiescent within {Duration.Format(deadline)} ({why}); " +
                    "the update stopped and no further old instance was destroyed. Fix the new config and run the update again");
            }

            await Task.Delay(Min(options.PollInterval, deadline - clock.Elapsed), cancellationToken);
        }
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b < TimeSpan.Zero ? TimeSpan.Zero : b;
}
