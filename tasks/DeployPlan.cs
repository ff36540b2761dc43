using Deploy.Engine.BlueGreen;

namespace Deploy.Tasks;

/// <summary>The dry run: logs what <see cref="DeployApply"/> would do and changes nothing.</summary>
public sealed class DeployPlan : DeployTask
{
    private protected override async System.Threading.Tasks.Task RunAsync(AppService apps, AppRequest request, CancellationToken ct) =>
        Report(await apps.PlanAsync(request, ct), showPlan: true);
}
