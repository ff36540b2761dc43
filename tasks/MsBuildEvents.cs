using Deploy.Engine.Diagnostics;
using Deploy.Engine.Events;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace Deploy.Tasks;

/// <summary>
/// Renders the engine's progress lines at high importance (shown at default verbosity) and its warnings and errors
/// as canonical MSBuild diagnostics: <c>app.json(4,17): error DEPLOY1003: $.Group.Allocation.Size: ...</c>.
/// </summary>
internal sealed class MsBuildEvents(TaskLoggingHelper log) : IDeployEvents
{
    // The engine reports from thread-pool threads while Execute blocks; the build engine expects one caller at a time.
    private readonly Lock _gate = new();

    public void Info(string message)
    {
        lock (_gate)
        {
            log.LogMessage(MessageImportance.High, "{0}", message);
        }
    }

    public void Warn(Diagnostic warning) => Report(warning);

    /// <summary>Logs one diagnostic as an error or a warning, located in its file when it has one.</summary>
    public void Report(Diagnostic d)
    {
        var message = MsBuildHints.Rewrite(d.Path is null ? d.Message : $"{d.Path}: {d.Message}");
        var file = d.File ?? "";
        var line = d.Line ?? 0;
        var column = d.Line is null ? 0 : d.Column ?? 1;
        lock (_gate)
        {
            if (d.Severity == Severity.Error)
            {
                log.LogError(null, d.Code.Id, d.Code.Id, file, line, column, 0, 0, "{0}", message);
            }
            else
            {
                log.LogWarning(null, d.Code.Id, d.Code.Id, file, line, column, 0, 0, "{0}", message);
            }
        }
    }
}
