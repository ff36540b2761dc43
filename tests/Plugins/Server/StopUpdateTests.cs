using System.Text;
using Deploy.Engine.Plugins.Server;
using Deploy.Tests.Support;

namespace Deploy.Tests.Plugins.Server;

/// <summary>
/// Group.StopUpdate through the engine's dispatcher (no transport): an update whose new instances never become healthy
/// waits for its 10-minute deadline, and StopUpdate ends it at once.
/// </summary>
public sealed class StopUpdateTests : IDisposable
{
    private readonly EngineHarness _engine = new();

    private static byte[] Spec(bool healthy) => Encoding.UTF8.GetBytes("""
        {"ID": "g", "Properties": {"Allocation": {"Size": 1},
          "Instance": {"Plugin": "instance-memory", "Properties": {"Healthy": HEALTHY}},
          "Flavor": {"Plugin": "flavor-health", "Properties": {}},
          "Updating": {"Deadline": "10m"}}}
        """.Replace("HEALTHY", healthy ? "true" : "false"));

    [Fact]
    public async Task StopUpdate_UpdateWaitingOnUnhealthyInstances_EndsItAndFreesTheGroup()
    {
        var plugins = new PluginDispatcher(_engine.Groups, _engine.Events);
        (await plugins.HandleAsync("group", "/Group.Watch", Spec(healthy: true), CancellationToken.None)).Status.ShouldBe(200);

        var update = plugins.HandleAsync("group", "/Group.Update", Spec(healthy: false), CancellationToken.None);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!(await HealthyPropertiesAsync()).Contains(false))
        {
            update.IsCompleted.ShouldBeFalse();
            DateTime.UtcNow.ShouldBeLessThan(deadline);
            await Task.Delay(20);
        }

        (await plugins.HandleAsync("group", "/Group.StopUpdate/g", [], CancellationToken.None)).Status.ShouldBe(200);
        var stopped = await update.WaitAsync(TimeSpan.FromSeconds(10));

        stopped.Status.ShouldBe(400);
        Encoding.UTF8.GetString(stopped.Body).ShouldContain("the update of group g was stopped (Group.StopUpdate)");
        // The lock and the journal are free again: the next update runs, and converges to its spec.
        (await plugins.HandleAsync("group", "/Group.Update", Spec(healthy: true), CancellationToken.None)).Status.ShouldBe(200);
        (await HealthyPropertiesAsync()).ShouldBe([true]);
    }

    // What each instance was provisioned with: its "Healthy" property, read from the memory plugin's records.
    private async Task<List<bool>> HealthyPropertiesAsync() =>
        (await _engine.Memory.DescribeAsync(new Dictionary<string, string>(), CancellationToken.None))
            .Select(i => _engine.Memory.SpecOf(i.Id)).OfType<Deploy.Engine.Plugins.Instance.InstanceSpec>() // one the update just destroyed has none
            .Select(spec => spec.Properties!.Value.GetProperty("Healthy").GetBoolean()).ToList();

    public void Dispose() => _engine.Dispose();
}
