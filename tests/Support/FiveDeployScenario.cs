using System.Text.Json;

namespace Deploy.Tests.Support;

/// <summary>
/// Five consecutive applies under load, alternating colours: a good one, one whose new version fails health (no flip),
/// a good one, one that fails after the flip (rolled back), a good one. Shared by the nginx and HAProxy tests.
/// </summary>
public sealed class FiveDeployScenario(CliRunner cli, string spec, Uri proxyUrl)
{
    /// <summary>Each apply's result, in order (versions 2 to 6).</summary>
    public List<CliResult> Applies { get; } = [];

    /// <summary>Versions each phase may legitimately answer with: the live one or the one just replaced.</summary>
    public static readonly IReadOnlyDictionary<string, string[]> Allowed = new Dictionary<string, string[]>
    {
        ["2"] = ["1", "2"], ["3"] = ["2"], ["4"] = ["2", "4"], ["5"] = ["4", "5"], ["6"] = ["4", "6"], ["after"] = ["6"],
    };

    /// <summary>Makes the spec verify through the proxy for 8s: long enough to see a version that fails 5s after it started.</summary>
    public void UseLongVerify() => File.WriteAllText(spec, File.ReadAllText(spec).Replace("\"Duration\": \"1s\"", "\"Duration\": \"8s\""));

    public Task<CliResult> Apply(string version, params string[] more) =>
        cli.RunAsync(["apply", spec, "--var", $"version={version}", "--json", .. more]);

    /// <summary>Runs the scenario and returns the stopped load loop for its counts.</summary>
    public async Task<LoadLoop> RunAsync()
    {
        var first = await Apply("1");
        if (first.ExitCode != 0)
        {
            throw new InvalidOperationException("the first deploy failed: " + first);
        }

        var load = new LoadLoop(proxyUrl, clients: 8, maxDuration: TimeSpan.FromMinutes(4));
        foreach (var (version, more) in new (string, string[])[]
        {
            ("2", []), ("3", ["--var", "fail_health=1"]), ("4", []), ("5", ["--var", "fail_after=5s"]), ("6", []),
        })
        {
            load.Phase = version;
            Applies.Add(await Apply(version, more));
        }

        load.Phase = "after";
        await Task.Delay(500);
        await load.StopAsync();
        return load;
    }

    public static JsonElement Json(CliResult r) => JsonDocument.Parse(r.Stdout).RootElement;

    /// <summary>The answers that came from a version the phase should not see, as "phase|body" keys.</summary>
    public static IReadOnlyList<string> UnexpectedVersions(LoadLoop load) =>
        load.Bodies.Keys.Where(key => !Allowed[key.Split('|')[0]].Contains(key.Split(' ')[^1])).ToList();
}
