using Deploy.Tests.Support;

namespace Deploy.Tests.Action;

/// <summary>
/// The environment a GitHub runner gives a Docker action's container: a workspace holding the repository, empty
/// GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files, the GITHUB_* context, and each input as INPUT_&lt;NAME&gt;.
/// </summary>
public sealed class SimulatedRunner : IDisposable
{
    /// <summary>The token every test passes; it must never appear in any output.</summary>
    public const string Token = "ghs_TestToken0123456789abcdefSECRET";

    private readonly TempDir _dir = new();
    private readonly Dictionary<string, string> _inputs = new(StringComparer.Ordinal);

    public SimulatedRunner(string apiUrl, string repository)
    {
        Workspace = Directory.CreateDirectory(Path.Combine(_dir.Path, "workspace")).FullName;
        OutputFile = _dir.Write("runner/output", "");
        SummaryFile = _dir.Write("runner/summary.md", "");
        Context = new Dictionary<string, string>
        {
            ["GITHUB_ACTIONS"] = "true",
            ["CI"] = "true",
            ["GITHUB_REPOSITORY"] = repository,
            ["GITHUB_SHA"] = "ffac537e6cbbf934b08745a378932722df287a53",
            ["GITHUB_REF"] = "refs/heads/main",
            ["GITHUB_EVENT_NAME"] = "push",
            ["GITHUB_API_URL"] = apiUrl,
            ["GITHUB_SERVER_URL"] = apiUrl.Replace("/api/v3", ""),
            ["GITHUB_RUN_ID"] = "4242",
            ["GITHUB_WORKSPACE"] = Workspace,
            ["GITHUB_OUTPUT"] = OutputFile,
            ["GITHUB_STEP_SUMMARY"] = SummaryFile,
            ["RUNNER_TEMP"] = Directory.CreateDirectory(Path.Combine(_dir.Path, "runner", "temp")).FullName,
        };
        Input("github-token", Token);
    }

    public string Workspace { get; }

    public string OutputFile { get; }

    public string SummaryFile { get; }

    /// <summary>The GITHUB_* context; tests change it (e.g. the event) before a run.</summary>
    public Dictionary<string, string> Context { get; }

    /// <summary>Sets input <paramref name="name"/> the way the runner names it.</summary>
    public SimulatedRunner Input(string name, string value)
    {
        _inputs["INPUT_" + name.Replace(' ', '_').ToUpperInvariant()] = value;
        return this;
    }

    /// <summary>Makes the run a pull_request event with a real payload from webhooks-examples; returns the PR number.</summary>
    public int PullRequestEvent()
    {
        // In its own folder, as the runner keeps it (_github_workflow, mounted into a Docker action as /github/workflow).
        var (file, number) = ActionTools.PullRequestEvent(Directory.CreateDirectory(Path.Combine(_dir.Path, "workflow")).FullName);
        Context["GITHUB_EVENT_NAME"] = "pull_request";
        Context["GITHUB_EVENT_PATH"] = file;
        Context["GITHUB_REF"] = $"refs/pull/{number}/merge";
        return number;
    }

    /// <summary>Copies a file into the workspace.</summary>
    public string AddFile(string relative, string content)
    {
        var file = Path.Combine(Workspace, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.WriteAllText(file, content);
        return file;
    }

    /// <summary>Every variable the container gets.</summary>
    public IReadOnlyDictionary<string, string> Environment => Context.Concat(_inputs).ToDictionary();

    /// <summary>The outputs file parsed back the way the runner does (name=value and name&lt;&lt;DELIM heredocs); last value wins.</summary>
    public Dictionary<string, string> Outputs()
    {
        var outputs = new Dictionary<string, string>();
        var lines = File.ReadAllText(OutputFile).Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            if (line.Length == 0)
            {
                continue;
            }

            var heredoc = line.IndexOf("<<", StringComparison.Ordinal);
            var eq = line.IndexOf('=');
            if (heredoc > 0 && (eq < 0 || heredoc < eq))
            {
                var name = line[..heredoc];
                var delimiter = line[(heredoc + 2)..];
                var value = new List<string>();
                for (i++; lines[i] != delimiter; i++)
                {
                    value.Add(lines[i]);
                }

                outputs[name] = string.Join("\n", value);
            }
            else
            {
                outputs[line[..eq]] = line[(eq + 1)..];
            }
        }

        return outputs;
    }

    /// <summary>The job summary written so far.</summary>
    public string Summary() => File.ReadAllText(SummaryFile);

    public void Dispose() => _dir.Dispose();
}
