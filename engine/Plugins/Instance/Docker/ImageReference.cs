using System.Text.RegularExpressions;

namespace Deploy.Engine.Plugins.Instance.Docker;

/// <summary>
/// An image as users write it: <c>[registry[:port]/]path[:tag][@sha256:digest]</c>, e.g. <c>127.0.0.1:5000/hello:9</c>.
/// A reference without tag or digest means <c>latest</c>, as with <c>docker pull</c>.
/// </summary>
public sealed partial record ImageReference(string Text, string Repository, string? Tag, string? Digest)
{
    /// <summary>What the pull asks the registry for: the digest when given, else the tag, else <c>latest</c>.</summary>
    public string PullTag => Digest ?? Tag ?? "latest";

    /// <summary>The reference as written.</summary>
    public override string ToString() => Text;

    /// <summary>The reference in <paramref name="text"/>, or null with the reason in <paramref name="problem"/>.</summary>
    public static ImageReference? TryParse(string text, out string problem)
    {
        problem = "";
        if (text.Length == 0 || text.Any(char.IsWhiteSpace))
        {
            problem = text.Length == 0 ? "it is empty" : "it contains white space";
            return null;
        }

        var name = text;
        string? digest = null;
        var at = text.IndexOf('@');
        if (at >= 0)
        {
            digest = text[(at + 1)..];
            name = text[..at];
            if (!DigestPattern().IsMatch(digest))
            {
                problem = $"the digest \"{digest}\" is not sha256: and 64 lowercase hex digits";
                return null;
            }
        }

        string? tag = null;
        var colon = name.LastIndexOf(':');
        if (colon > name.LastIndexOf('/'))
        {
            tag = name[(colon + 1)..];
            name = name[..colon];
            if (!TagPattern().IsMatch(tag))
            {
                problem = $"the tag \"{tag}\" is not 1-128 letters, digits, '_', '.' or '-' (not starting with '.' or '-')";
                return null;
            }
        }

        if (!RepositoryPattern().IsMatch(name))
        {
            problem = $"the repository \"{name}\" must be lowercase letters, digits and separators ('.', '_', '-', '/'), after an optional registry host[:port]/";
            return null;
        }

        return new ImageReference(text, name, tag, digest);
    }

    [GeneratedRegex("^sha256:[a-f0-9]{64}$")]
    private static partial Regex DigestPattern();

    [GeneratedRegex("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")]
    private static partial Regex TagPattern();

    // Optional registry (a host with a dot or a port, or localhost), then lowercase path components.
    [GeneratedRegex(@"^(?:(?:[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*(?::[0-9]+)?)/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$")]
    private static partial Regex RepositoryPattern();
}
