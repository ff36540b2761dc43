using System.Text.RegularExpressions;
using Deploy.Engine.Apps;
using Deploy.Engine.Diagnostics;
using Deploy.Engine.Events;
using Deploy.Engine.Plugins;
using Deploy.Engine.Spec;
using Deploy.Tests.Support;

namespace Deploy.Tests.Validation;

/// <summary>
/// 2,000 seeded mutations of the example specs, validated in-process as <c>plan</c> and <c>group describe</c> do:
/// each either loads or fails with canonical bad-input diagnostics (exit 2), never with any other exception.
/// </summary>
public sealed partial class SpecMutationTests : IDisposable
{
    private const int Mutations = 2000;

    private static readonly string[] AppExamples = ["quickstart/app.json", "nginx/shop.json"];
    private static readonly string[] GroupExamples = ["tutorial/app-blue-group.json", "tutorial/app-blue-group-2.json", "tutorial/app-green-group.json"];

    private readonly TempDir _dir = new();
    private readonly PluginRegistry _plugins;

    public SpecMutationTests() =>
        _plugins = PluginCatalog.Create(new PluginContext(Path.Combine(_dir.Path, "state"), Path.Combine(_dir.Path, "files"), NullEvents.Instance));

    [Fact]
    public void Load_SeededMutationsOfTheExamples_SucceedOrFailWithCanonicalBadInputOnly()
    {
        var mutator = new SpecMutator(seed: 20241208);
        var random = new Random(8);
        var examples = AppExamples.Select(e => (e, App: true)).Concat(GroupExamples.Select(e => (e, App: false)))
            .Select(x => (x.e, x.App, Text: File.ReadAllText(Path.Combine(Repo.Root, "examples", x.e)))).ToList();
        var failures = new List<string>();
        var outcomes = new Dictionary<string, int>();

        for (var i = 0; i < Mutations; i++)
        {
            var (name, isApp, text) = examples[random.Next(examples.Count)];
            var (bytes, what) = mutator.Mutate(text);
            var file = Path.Combine(_dir.Path, $"m{i}.json");
            File.WriteAllBytes(file, bytes);
            var given = random.Next(5) == 0 ? new[] { "verison" } : [];
            try
            {
                if (isApp)
                {
                    AppResolver.Load(file, given.ToDictionary(g => g, _ => "1"), _ => "secret", _plugins, Path.Combine(_dir.Path, "state"), givenVars: given);
                }
                else
                {
                    GroupSpecLoader.Load(file, _plugins);
                }

                Count(outcomes, "ok");
            }
            catch (DeployException e)
            {
                Count(outcomes, "exit " + e.ExitCode);
                var bad = e.Diagnostics.Select(d => d.ToString()).Where(d => !IsCanonical(d)).ToList();
                if (e.ExitCode != 2 || bad.Count > 0 || e.Diagnostics.Any(d => !Errors.All.Contains(d.Code)))
                {
                    failures.Add($"#{i} {name} [{what}]: exit {e.ExitCode}: {string.Join(" | ", e.Diagnostics)}");
                }
            }
            catch (Exception e)
            {
                failures.Add($"#{i} {name} [{what}]: {e.GetType().Name}: {e.Message}");
            }
        }

        failures.ShouldBeEmpty($"{failures.Count} of {Mutations} mutations ended badly:\n{string.Join("\n", failures.Take(15))}");
        outcomes.GetValueOrDefault("ok").ShouldBeGreaterThan(0, "some mutations keep the spec valid");
        outcomes.GetValueOrDefault("exit 2").ShouldBeGreaterThan(Mutations / 2);
    }

    private static void Count(Dictionary<string, int> outcomes, string key) => outcomes[key] = outcomes.GetValueOrDefault(key) + 1;

    // file(line,col): error DEPLOYxxxx: [$.path: ]message, on one line, in the user's words (no .NET type names).
    private static bool IsCanonical(string line) =>
        Canonical().IsMatch(line) && !line.Contains("System.", StringComparison.Ordinal) && !line.Contains("Exception", StringComparison.Ordinal)
        && !line.Contains("LineNumber", StringComparison.Ordinal) && !line.Contains("BytePosition", StringComparison.Ordinal);

    [GeneratedRegex(@"^(deploy|\S.*?\(\d+,\d+\)|\S.*?\.json): error DEPLOY\d{4}: (\$\S*?: )?\S[^\r\n]*$")]
    private static partial Regex Canonical();

    public void Dispose() => _dir.Dispose();
}
