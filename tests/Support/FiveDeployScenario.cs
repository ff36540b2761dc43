using System.Text.Json;

namespace Deploy.Tests.Support;

/// <summary>
/// Five consecutive applies under load (8 keep-alive clients, one request in five a POST to the app's counter),
/// alternating colours: a good one, one whose new version fails health (no flip) while a second apply of the app is
/// refused with exit 3, a good one, one that fails after the flip (rolled back), a good one. Shared by the nginx and
/// HAProxy tests.
/// </summary>
/// <param name="cli">Runs the CLI in the folder holding the spec and the state (<c>.deploy</c>).</param>
/// <param name="spec">The app spec, whose ID is <c>shop</c>.</param>
/// <param name="proxyUrl">The app through the proxy.</param>
/// <param name="app">The spec's ID: apps on a shared Docker engine need their own (their lease and state are kept there).</param>
public sealed class FiveDeployScenario(CliRunner cli, string spec, Uri proxyUrl, string app = "shop")
{
    /// <summary>Each apply's result, in order (versions 2 to 6).</summary>
    public List<CliResult> Applies { get; } = [];

    /// <summary>When each of <see cref="Applies"/> started (UTC), to place a failed request among the deploys.</summary>
    public List<DateTime> Started { get; } = [];

    /// <summary>The apply started while version 3's apply held the app lock.</summary>
    public CliResult? Concurrent { get; private set; }

    /// <summary>Versions each phase may legitimately answer with: the live one or the one just replaced.</summary>
    public static readonly IReadOnlyDictionary<string, string[]> Allowed = new Dictionary<string, string[]>
    {
        ["2"] = ["1", "2"], ["3"] = ["2"], ["4"] = ["2", "4"], ["5"] = ["4", "5"], ["6"] = ["4", "6"], ["after"] = ["6"],
    };

    /// <summary>The outcomes of versions 2 to 6 when every deploy tells the truth.</summary>
    public static readonly string[] ExpectedOutcomes = ["flipped", "idleFailed", "flipped", "rolledBack", "flipped"];

    /// <summary>The exit codes of versions 2 to 6.</summary>
    public static readonly int[] ExpectedExitCodes = [0, 1, 0, 1, 0];

    /// <summary>When version 5 starts failing after its start: after its health wait and verify, within the verify through the proxy.</summary>
    public string FailAfter { get; private set; } = "5s";

    /// <summary>
    /// Makes the spec verify version 5 (the one failing after its flip) through the proxy for 8s: long enough to see it
    /// fail 5s after it started. The other versions keep the spec's own (short) verify, so the suite does not wait the
    /// long one five times.
    /// </summary>
    public void UseLongVerifyForVersion5() => UseLongVerifyForVersion5("8s", "5s");

    /// <summary>
    /// The same for a slower target (an engine over SSH, a Swarm service update: health, verify and flip take longer):
    /// version 5 fails <paramref name="failAfter"/> after it started, and is verified through the proxy for
    /// <paramref name="verify"/>.
    /// </summary>
    public void UseLongVerifyForVersion5(string verify, string failAfter)
    {
        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(spec))!.AsObject();
        json["Vars"]!["verify_for"] = json["Verify"]!["Duration"]!.GetValue<string>();
        json["Verify"]!["Duration"] = "{{var.verify_for}}";
        File.WriteAllText(spec, json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        _version5Verify = ["--var", $"verify_for={verify}"];
        FailAfter = failAfter;
    }

    private string[] _version5Verify = [];

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

        var load = new LoadLoop(proxyUrl, clients: 8, maxDuration: TimeSpan.FromMinutes(4), postEvery: 5, phase: "2");
        foreach (var (version, more) in new (string, string[])[]
        {
            ("2", []), ("3", ["--var", "fail_health=1"]), ("4", []), ("5", ["--var", $"fail_after={FailAfter}", .. _version5Verify]), ("6", []),
        })
        {
            load.Phase = version;
            Started.Add(DateTime.UtcNow);
            var apply = Apply(version, more);
            if (version == "3")
            {
                // Version 3 waits for health that never comes (the spec's Health.Deadline), holding the app lock.
                await WaitForLockAsync(apply);
                Concurrent = await Apply("7");
            }

            Applies.Add(await apply);
        }

        load.Phase = "after";
        await load.WaitForEveryClientAsync("after", TimeSpan.FromSeconds(30));
        await load.StopAsync();
        return load;
    }

    public static JsonElement Json(CliResult r) => JsonDocument.Parse(r.Stdout).RootElement;

    /// <summary>The answers that came from a version the phase should not see, as "phase|body" keys.</summary>
    public static IReadOnlyList<string> UnexpectedVersions(LoadLoop load) =>
        load.Bodies.Keys.Where(key => !Allowed[key.Split('|')[0]].Contains(key.Split(' ')[^1])).ToList();

    private async Task WaitForLockAsync(Task<CliResult> holder)
    {
        var lockFile = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(spec))!, ".deploy", "locks", $"app-{app}.lock");
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!File.Exists(lockFile))
        {
            if (holder.IsCompleted)
            {
                throw new InvalidOperationException("the apply meant to hold the lock finished first: " + await holder);
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{lockFile} never appeared");
            }

            await Task.Delay(20);
        }
    }
}
