using Deploy.Engine.BlueGreen;
using Deploy.Engine.Diagnostics;
using Deploy.Engine.Groups;
using Microsoft.Build.Framework;
using Task = Microsoft.Build.Utilities.Task;

namespace Deploy.Tasks;

/// <summary>
/// What every blue/green task shares: the spec, state folder and vars in; live colour, previous colour, version,
/// whether anything changed and the plan out; cancellation; and errors rendered as canonical MSBuild diagnostics.
/// Each task only builds an <see cref="AppRequest"/>, calls <see cref="AppService"/> and reports the result.
/// </summary>
public abstract class DeployTask : Task, ICancelableTask
{
    private readonly CancellationTokenSource _cancel = new();

    /// <summary>The app spec file (required); relative to the project directory.</summary>
    [Required]
    public string Spec { get; set; } = "";

    /// <summary>The state folder; relative to the project directory; default <c>.deploy</c>.</summary>
    public string? StateDirectory { get; set; }

    /// <summary>
    /// Items with <c>Value</c> metadata, or <c>name=value</c> pairs separated by <c>;</c> or <c>,</c>. Global properties
    /// named <c>DeployVar_NAME</c> (<c>-p:DeployVar_version=2.0.0</c>) are vars too; see <see cref="VarsInput"/>.
    /// </summary>
    public ITaskItem[] Vars { get; set; } = [];

    /// <summary>The colour serving traffic after the command.</summary>
    [Output]
    public string? LiveColour { get; protected set; }

    /// <summary>The colour that served traffic before the command.</summary>
    [Output]
    public string? PreviousColour { get; protected set; }

    /// <summary>True when the command changed instances or the route.</summary>
    [Output]
    public bool Changed { get; protected set; }

    /// <summary>The plan (or status) lines, one per line.</summary>
    [Output]
    public string PlanText { get; protected set; } = "";

    /// <summary>The version the live colour runs.</summary>
    [Output]
    public string? Version { get; protected set; }

    /// <summary>
    /// The folder relative paths resolve against: the project directory. The targets pass it; MSBuild also runs
    /// in-process tasks there. (<c>ProjectFileOfTaskNode</c> would name the .targets file holding the task, not the project.)
    /// </summary>
    public string? ProjectDirectory { get; set; }

    /// <summary>Stops waits promptly; what was live stays live (the engine flips only after the new colour is verified).</summary>
    public void Cancel() => _cancel.Cancel();

    public override bool Execute()
    {
        var events = new MsBuildEvents(Log);
        try
        {
            var state = Resolve(string.IsNullOrEmpty(StateDirectory) ? ".deploy" : StateDirectory);
            var request = new AppRequest(Resolve(Spec)) { Vars = ParsedVars(), OptionalVars = VarsInput.Optional(Vars) };
            var options = new EngineOptions(state) { Events = events };
            RunAsync(AppService.Create(options), request, _cancel.Token).GetAwaiter().GetResult();
        }
        catch (DeployException e)
        {
            foreach (var d in e.Diagnostics)
            {
                events.Report(d);
            }
        }
        catch (OperationCanceledException) when (_cancel.IsCancellationRequested)
        {
            events.Report(new Diagnostic(Errors.OperationFailed, "cancelled; what was live stays live: run it again to converge"));
        }

        return !Log.HasLoggedErrors;
    }

    /// <summary>The <see cref="Vars"/> input by name; see <see cref="VarsInput"/>.</summary>
    internal IReadOnlyDictionary<string, string> ParsedVars() =>
        VarsInput.Parse(Vars, BuildEngine is IBuildEngine6 engine ? engine.GetGlobalProperties() : null);

    /// <summary>Runs the one engine command of this task.</summary>
    private protected abstract System.Threading.Tasks.Task RunAsync(AppService apps, AppRequest request, CancellationToken ct);

    /// <summary>A full path: <paramref name="path"/> as given when rooted, else under the project directory.</summary>
    private protected string Resolve(string path) =>
        Path.GetFullPath(path, string.IsNullOrEmpty(ProjectDirectory) ? Environment.CurrentDirectory : Path.GetFullPath(ProjectDirectory));

    /// <summary>Sets the outputs from <paramref name="result"/> and logs it; a failed outcome is a DEPLOY3001 error.</summary>
    private protected void Report(DeployResult result, bool showPlan)
    {
        LiveColour = result.LiveColour;
        PreviousColour = result.PreviousColour;
        Version = result.Version;
        Changed = result.Changed;
        PlanText = string.Join(Environment.NewLine, result.Plan);
        if (showPlan)
        {
            foreach (var line in result.Plan)
            {
                Log.LogMessage(MessageImportance.High, "{0}", line);
            }
        }

        if (result.ExitCode == 0)
        {
            Log.LogMessage(MessageImportance.High, "{0}", result.Summary);
        }
        else
        {
            new MsBuildEvents(Log).Report(new Diagnostic(Errors.OperationFailed, result.Summary));
        }
    }
}
