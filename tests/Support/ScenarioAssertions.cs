using System.Globalization;
using System.Text.Json;
using Xunit.Abstractions;

namespace Deploy.Tests.Support;

/// <summary>What every proxy must show after <see cref="FiveDeployScenario"/>: true outcomes, no failed request, no replayed POST.</summary>
public static class ScenarioAssertions
{
    /// <summary>
    /// Asserts the outcomes and exit codes of the five applies and of the concurrent one (exit 3), zero failed requests,
    /// only versions each phase may answer with, and a counter file where no POST id appears twice and every acknowledged
    /// one appears. Writes the counts to <paramref name="output"/> first, so a failing run still reports them.
    /// </summary>
    public static void ToldTheTruthAndLostNothing(FiveDeployScenario scenario, LoadLoop load, string counterFile, ITestOutputHelper output, string proxy)
    {
        var replayed = LoadLoop.ReplayedPosts(counterFile);
        var lost = load.LostPosts(counterFile);
        output.WriteLine($"{proxy}: {load.Failures.Count} failed of {load.Requests} requests; {load.Posts} POSTs, "
            + $"{load.AcknowledgedPosts.Count} acknowledged, {replayed.Count} applied twice, {lost.Count} acknowledged but lost");
        foreach (var failure in load.Failures.Take(20))
        {
            output.WriteLine(failure);
        }

        output.WriteLine(Timeline(scenario));

        var applies = string.Join("\n", scenario.Applies);
        scenario.Applies.Select(a => FiveDeployScenario.Json(a).GetProperty("outcome").GetString()).ShouldBe(FiveDeployScenario.ExpectedOutcomes, applies);
        scenario.Applies.Select(a => a.ExitCode).ShouldBe(FiveDeployScenario.ExpectedExitCodes, applies);
        FiveDeployScenario.Json(scenario.Applies[1]).GetProperty("summary").GetString()!.ShouldContain("green is still live");
        FiveDeployScenario.Json(scenario.Applies[4]).GetProperty("liveColour").GetString().ShouldBe("green");
        scenario.Concurrent.ShouldNotBeNull();
        scenario.Concurrent.ExitCode.ShouldBe(3, scenario.Concurrent.ToString());
        scenario.Concurrent.Stderr.ShouldContain("DEPLOY2001");

        load.Failures.ShouldBeEmpty($"{load.Failures.Count} of {load.Requests} requests failed; the deploys:\n{Timeline(scenario)}");
        load.AcknowledgedPosts.ShouldNotBeEmpty();
        replayed.ShouldBeEmpty("a POST was applied twice: a retry or redispatch replayed it");
        lost.ShouldBeEmpty("a POST answered 200 is not in the counter file");
        FiveDeployScenario.UnexpectedVersions(load).ShouldBeEmpty();
    }

    // One line per apply: its version, start time (UTC, as the load loop stamps failures), outcome and each step's duration.
    private static string Timeline(FiveDeployScenario scenario) => string.Join("\n", scenario.Applies.Select((apply, i) =>
    {
        var json = FiveDeployScenario.Json(apply);
        var steps = json.TryGetProperty("steps", out var list) ? string.Join(", ", list.EnumerateArray().Select(Step)) : "";
        return $"v{i + 2} {scenario.Started[i]:HH:mm:ss.fff} {json.GetProperty("outcome").GetString()}: {steps}";
    }));

    private static string Step(JsonElement step)
    {
        var name = step.GetProperty("name").GetString();
        return step.TryGetProperty("duration", out var d) && TimeSpan.TryParse(d.GetString(), CultureInfo.InvariantCulture, out var took)
            ? $"{name} {took.TotalSeconds:0.0}s"
            : name ?? "?";
    }
}
