using Deploy.Engine.BlueGreen;
using Microsoft.Build.Framework;

namespace Deploy.Tasks;

/// <summary>
/// Logs the live and standby colours with their versions and instances. Outputs: <c>LiveColour</c>, <c>Version</c>
/// (of the live colour), <c>PreviousColour</c> (the standby, what a rollback would promote) and <c>PlanText</c> (the
/// lines logged); <c>Changed</c> is always false.
/// </summary>
public sealed class DeployStatus : DeployTask
{
    private protected override async System.Threading.Tasks.Task RunAsync(AppService apps, AppRequest request, CancellationToken ct)
    {
        var status = await apps.StatusAsync(request, ct);
        LiveColour = status.LiveColour;
        PreviousColour = status.StandbyColour;
        Version = status.Colours.FirstOrDefault(c => c.Colour == status.LiveColour)?.Version;
        var lines = new List<string> { $"{status.App}: live {status.LiveColour ?? "none"}, standby {status.StandbyColour ?? "none"}" };
        foreach (var colour in status.Colours)
        {
            lines.Add($"{colour.Colour} ({colour.Role}) version {colour.Version ?? "-"} config {colour.ConfigHash ?? "-"}");
            lines.AddRange(colour.Instances.Select(i => $"  {i.Id}  {i.Endpoint?.Authority ?? "-"}  version {i.Version ?? "-"}  {i.Health}"));
        }

        lines.Add("last deploys:");
        foreach (var h in status.LastDeploys)
        {
            lines.Add($"  {h.At:u}  {h.Command} {h.Outcome} {h.From ?? "-"} -> {h.To ?? "-"}  version {h.Version ?? "-"}");
        }

        PlanText = string.Join(Environment.NewLine, lines);
        foreach (var line in lines)
        {
            Log.LogMessage(MessageImportance.High, "{0}", line);
        }
    }
}
