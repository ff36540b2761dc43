using Deploy.Engine.BlueGreen;

namespace Deploy.Tasks;

/// <summary>Promotes a colour (default: the one not live); refuses one whose instances are not all healthy.</summary>
public sealed class DeployFlip : DeployTask
{
    /// <summary>The colour to promote; default the standby.</summary>
    public string? To { get; set; }

    private protected override async System.Threading.Tasks.Task RunAsync(AppService apps, AppRequest request, CancellationToken ct) =>
        Report(await apps.FlipAsync(request with { To = string.IsNullOrWhiteSpace(To) ? null : To }, ct), showPlan: false);
}
