namespace Deploy.Engine.BlueGreen;

/// <summary><c>deploy plan</c>: observes and renders the <see cref="AppPlan"/> apply would execute. Changes nothing.</summary>
public sealed class PlanFlow(AppContext ctx)
{
    /// <summary>Observes and plans.</summary>
    public async Task<DeployResult> RunAsync(bool noFlip, CancellationToken ct)
    {
        var seen = await ctx.ObserveAsync(ct);
        var plan = ctx.Plan(seen, noFlip);
        var outcome = plan.IsNoop ? DeployOutcome.Noop : plan.Flips ? DeployOutcome.Flipped : DeployOutcome.ReadyNotFlipped;
        return new DeployResult(plan.App, outcome, plan.Live, plan.Flips ? plan.Target : plan.Live, plan.Version, false,
            plan.Lines.Select(ctx.Mask.Apply).ToList(), [], ctx.Mask.Apply(plan.Summary)) { Target = plan.Target };
    }
}
