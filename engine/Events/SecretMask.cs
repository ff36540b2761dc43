using Deploy.Engine.Diagnostics;

namespace Deploy.Engine.Events;

/// <summary>Replaces secret values with <c>***</c> in anything shown to users.</summary>
public sealed class SecretMask(IEnumerable<string> secrets)
{
    private readonly string[] _secrets = secrets.Where(s => s.Length > 0).Distinct().OrderByDescending(s => s.Length).ToArray();

    /// <summary>A mask that hides nothing.</summary>
    public static readonly SecretMask None = new([]);

    /// <summary><paramref name="text"/> with every secret value replaced by <c>***</c>.</summary>
    public string Apply(string text)
    {
        foreach (var secret in _secrets)
        {
            text = text.Replace(secret, "***", StringComparison.Ordinal);
        }

        return text;
    }

    /// <summary>A diagnostic with its message and path masked.</summary>
    public Diagnostic Apply(Diagnostic d) => d with { Message = Apply(d.Message), Path = d.Path is null ? null : Apply(d.Path) };

    /// <summary>Events that mask every line before passing it on.</summary>
    public IDeployEvents Wrap(IDeployEvents inner) => _secrets.Length == 0 ? inner : new Masked(inner, this);

    private sealed class Masked(IDeployEvents inner, SecretMask mask) : IDeployEvents
    {
        public void Info(string message) => inner.Info(mask.Apply(message));

        public void Warn(Diagnostic warning) => inner.Warn(mask.Apply(warning));

        public void StepStarted(string name) => inner.StepStarted(mask.Apply(name));

        public void StepFinished(string name, TimeSpan duration, string detail) => inner.StepFinished(mask.Apply(name), duration, mask.Apply(detail));
    }
}
