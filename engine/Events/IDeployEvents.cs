using Deploy.Engine.Diagnostics;

namespace Deploy.Engine.Events;

/// <summary>Where the engine reports progress lines and warnings; each face renders them its own way.</summary>
public interface IDeployEvents
{
    /// <summary>One progress line, e.g. <c>Destroying instance instance-123</c>.</summary>
    void Info(string message);

    /// <summary>A warning that does not stop the command.</summary>
    void Warn(Diagnostic warning);

    /// <summary>A step of a blue/green command starts; faces that fold output (the Action's groups) open a fold here.</summary>
    void StepStarted(string name)
    {
    }

    /// <summary>A step ended; by default one progress line <c>name: detail (N ms)</c>.</summary>
    void StepFinished(string name, TimeSpan duration, string detail) => Info($"{name}: {detail} ({duration.TotalMilliseconds:0} ms)");
}

/// <summary>Discards everything; for benchmarks and callers that only want the result.</summary>
public sealed class NullEvents : IDeployEvents
{
    /// <summary>The shared instance; it holds no state.</summary>
    public static readonly NullEvents Instance = new();

    public void Info(string message)
    {
    }

    public void Warn(Diagnostic warning)
    {
    }
}

/// <summary>Keeps every line in memory; for tests and for faces that render a summary afterwards.</summary>
public sealed class RecordingEvents : IDeployEvents
{
    private readonly List<string> _lines = [];
    private readonly List<Diagnostic> _warnings = [];
    private readonly Lock _gate = new();

    /// <summary>Progress lines in order.</summary>
    public IReadOnlyList<string> Lines { get { lock (_gate) { return _lines.ToList(); } } }

    /// <summary>Warnings in order.</summary>
    public IReadOnlyList<Diagnostic> Warnings { get { lock (_gate) { return _warnings.ToList(); } } }

    public void Info(string message)
    {
        lock (_gate)
        {
            _lines.Add(message);
        }
    }

    public void Warn(Diagnostic warning)
    {
        lock (_gate)
        {
            _warnings.Add(warning);
        }
    }
}
