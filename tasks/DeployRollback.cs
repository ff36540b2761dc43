using Deploy.Engine.BlueGreen;

namespace Deploy.Tasks;

/// <summary>Flips back to the healthy standby colour at once; refuses when there is none.</summary>
public sealed class DeployRollback : DeployTask
{
    private protected override async System.Threading.Tasks.Task RunAsync(AppService apps, AppRequest request, CancellationToken ct) =>
        Report(await apps.RollbackAsync(request, ct), showPlan: false);
}
