namespace Deploy.Engine.Diagnostics;

/// <summary>Collects every finding of a validation pass instead of stopping at the first.</summary>
public sealed class DiagnosticBag
{
    private readonly List<Diagnostic> _items = [];

    /// <summary>What was collected so far, in order.</summary>
    public IReadOnlyList<Diagnostic> Items => _items;

    /// <summary>True when at least one error (not warning) was collected.</summary>
    public bool HasErrors => _items.Any(d => d.Severity == Severity.Error);

    public void Add(ErrorCode code, string path, string message) => _items.Add(new Diagnostic(code, message, Path: path));

    public void Add(Diagnostic diagnostic) => _items.Add(diagnostic);

    public void AddRange(IEnumerable<Diagnostic> diagnostics) => _items.AddRange(diagnostics);

    /// <summary>Throws a <see cref="DeployException"/> holding everything collected when any error is present.</summary>
    public void ThrowIfErrors()
    {
        if (HasErrors)
        {
            throw new DeployException(_items.OrderBy(d => d.Severity).ToList());
        }
    }
}
