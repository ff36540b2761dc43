using System.Security.Cryptography;

namespace Deploy.Action.Runner;

/// <summary>
/// Appends step outputs to the file named by <c>GITHUB_OUTPUT</c>. Every value is written in the heredoc form
/// <c>name&lt;&lt;DELIM</c> with a random delimiter that does not occur in the value, so multi-line values survive.
/// </summary>
internal sealed class OutputFile(string? path, TextWriter fallbackLog)
{
    /// <summary>Appends one output; without <c>GITHUB_OUTPUT</c> (a local run) it only logs that outputs are skipped, once.</summary>
    public void Set(string name, string value)
    {
        if (string.IsNullOrEmpty(path))
        {
            fallbackLog.WriteLine($"(no GITHUB_OUTPUT: output {name} not written)");
            return;
        }

        var delimiter = Delimiter(value);
        File.AppendAllText(path, $"{name}<<{delimiter}\n{value}\n{delimiter}\n");
    }

    /// <summary>A delimiter made of random bytes, redrawn in the unlikely case the value contains it.</summary>
    public static string Delimiter(string value)
    {
        while (true)
        {
            var candidate = "ghadelimiter_" + Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();
            if (!value.Contains(candidate, StringComparison.Ordinal))
            {
                return candidate;
            }
        }
    }
}
