using Deploy.Engine.Diagnostics;
using Deploy.Engine.Events;

namespace Deploy.Cli.Rendering;

/// <summary>Progress lines to <paramref name="progress"/> (stdout, or stderr under --json); warnings to stderr.</summary>
internal sealed class ConsoleEvents(TextWriter progress, TextWriter errors) : IDeployEvents
{
    private readonly Lock _gate = new();

    public void Info(string message)
    {
        lock (_gate)
        {
            progress.WriteLine(message);
        }
    }

    public void Warn(Diagnostic warning)
    {
        lock (_gate)
        {
            errors.WriteLine(warning.ToString());
        }
    }
}
