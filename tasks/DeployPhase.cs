using Deploy.Engine.Apps;
using Deploy.Engine.Diagnostics;
using Microsoft.Build.Framework;
using Task = Microsoft.Build.Utilities.Task;

namespace Deploy.Tasks;

/// <summary>
/// Tells DeployOnPublish's targets whether the spec deploys in this phase of <c>dotnet publish</c>: after <c>Publish</c>,
/// or after <c>PublishContainer</c> for a spec that uses <c>{{var.image}}</c> (the engine decides; see
/// <see cref="PublishPhases"/>), and logs why not.
/// </summary>
public sealed class DeployPhase : Task
{
    /// <summary>The app spec file (required); relative to the project directory.</summary>
    [Required]
    public string Spec { get; set; } = "";

    /// <summary><c>publish</c> or <c>container</c> (required).</summary>
    [Required]
    public string Phase { get; set; } = "";

    /// <summary>In the container phase: the image PublishContainer made, by digest or by tag.</summary>
    public string? Image { get; set; }

    /// <summary>The folder relative paths resolve against; default the current directory.</summary>
    public string? ProjectDirectory { get; set; }

    /// <summary>True when the spec deploys in this phase.</summary>
    [Output]
    public bool Deploys { get; private set; }

    public override bool Execute()
    {
        try
        {
            var root = string.IsNullOrEmpty(ProjectDirectory) ? Environment.CurrentDirectory : Path.GetFullPath(ProjectDirectory);
            var decision = PublishPhases.Decide(Path.GetFullPath(Spec, root), PublishPhases.Parse(Phase), Image);
            Deploys = decision.Deploys;
            if (decision.Message.Length > 0)
            {
                Log.LogMessage(decision.Notable ? MessageImportance.High : MessageImportance.Normal, "{0}", decision.Message);
            }
        }
        catch (DeployException e)
        {
            var events = new MsBuildEvents(Log);
            foreach (var d in e.Diagnostics)
            {
                events.Report(d);
            }
        }

        return !Log.HasLoggedErrors;
    }
}
