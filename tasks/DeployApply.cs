using Deploy.Engine.BlueGreen;
using Deploy.Engine.Diagnostics;
using Deploy.Engine.Spec;

namespace Deploy.Tasks;

/// <summary>Deploys to the idle colour, verifies it and flips traffic to it; the previous colour stays as standby.</summary>
public sealed class DeployApply : DeployTask
{
    /// <summary>The longest the deploy may take, written as 500ms, 30s, 10m or 1h; default 10m.</summary>
    public string? Timeout { get; set; }

    /// <summary>Stop after verifying the idle colour, before the flip.</summary>
    public bool NoFlip { get; set; }

    private protected override async System.Threading.Tasks.Task RunAsync(AppService apps, AppRequest request, CancellationToken ct)
    {
        var timeout = TimeSpan.FromMinutes(10);
        if (!string.IsNullOrWhiteSpace(Timeout) && !Duration.TryParse(Timeout, out timeout))
        {
            throw new DeployException(Errors.InvalidDuration, $"Timeout: \"{Timeout}\" is not a duration; write e.g. -p:DeployTimeout=5m");
        }

        Report(await apps.ApplyAsync(request with { Timeout = timeout, NoFlip = NoFlip }, ct), showPlan: false);
    }
}
