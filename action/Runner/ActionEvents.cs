using Deploy.Engine.Diagnostics;
using Deploy.Engine.Events;

namespace Deploy.Action.Runner;

/// <summary>The engine's progress lines as log lines, its warnings as <c>::warning::</c> annotations on the spec.</summary>
internal sealed class ActionEvents(WorkflowCommands commands, Func<string, string> annotationPath) : IDeployEvents
{
    public void Info(string message) => commands.Line(message);

    // Each step of the deploy is a fold in the job log, opened when it starts and closed with its result.
    public void StepStarted(string name) => commands.Group(name);

    public void StepFinished(string name, TimeSpan duration, string detail)
    {
        commands.Line($"{name}: {detail} ({duration.TotalMilliseconds:0} ms)");
        commands.EndGroup();
    }

    public void Warn(Diagnostic warning) =>
        commands.Warning((warning.Path is null ? "" : warning.Path + ": ") + warning.Message,
            warning.File is null ? null : annotationPath(warning.File), warning.Line, warning.Column, warning.Code.Id);
}
