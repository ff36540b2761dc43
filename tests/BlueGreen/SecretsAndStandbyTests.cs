using System.Text.Json.Nodes;
using Deploy.Tests.Support;

namespace Deploy.Tests.BlueGreen;

/// <summary>Secrets stay out of outputs and off the disk; a standby that is not kept is drained, destroyed and forgotten.</summary>
public sealed class SecretsAndStandbyTests : IDisposable
{
    private const string Secret = "s3cr3t-Hunter2";
    private readonly TempDir _dir = new();
    private readonly CliRunner _cli;

    public SecretsAndStandbyTests() =>
        _cli = new CliRunner(_dir.Path, new Dictionary<string, string> { ["DEPLOY_VAR_db_password"] = Secret });

    private string Spec(Action<JsonObject> edit)
    {
        var spec = JsonNode.Parse(File.ReadAllText(Path.Combine(Repo.Root, "examples", "quickstart", "app.json")))!.AsObject();
        edit(spec);
        return _dir.Write("app.json", spec.ToJsonString());
    }

    private static void WithSecret(JsonObject spec)
    {
        spec["Secrets"] = new JsonArray("db_password");
        spec["Group"]!["Instance"]!["Properties"]!["Password"] = "{{var.db_password}}";
    }

    [Fact]
    public async Task Apply_SecretInInstanceProperties_NeverOnDiskNorPrinted()
    {
        var spec = Spec(WithSecret);

        var first = await _cli.RunAsync("apply", spec);
        var second = await _cli.RunAsync("apply", spec, "--var", "version=2", "--json");
        var status = await _cli.RunAsync("status", "quickstart", "--json");

        first.ExitCode.ShouldBe(0, first.ToString());
        second.ExitCode.ShouldBe(0, second.ToString());
        foreach (var output in new[] { first, second, status })
        {
            output.Stdout.ShouldNotContain(Secret);
            output.Stderr.ShouldNotContain(Secret);
        }

        var files = Directory.GetFiles(Path.Combine(_dir.Path, ".deploy"), "*", SearchOption.AllDirectories);
        files.Length.ShouldBeGreaterThan(5);
        files.ShouldAllBe(f => !File.ReadAllText(f).Contains(Secret));
        Directory.GetFiles(Path.Combine(_dir.Path, ".deploy", "instances")).ShouldAllBe(f => File.ReadAllText(f).Contains("\"Password\": \"***\""));
    }

    [Fact]
    public async Task Apply_BeforeFlipHookPrintsSecretAndFails_MaskedAndNotFlipped()
    {
        var spec = Spec(s =>
        {
            WithSecret(s);
            s["Hooks"] = new JsonObject { ["BeforeFlip"] = new JsonArray("sh", "-c", "echo \"smoke test failed with password $0\" >&2; exit 7", "{{var.db_password}}") };
        });

        var result = await _cli.RunAsync("apply", spec);

        result.ExitCode.ShouldBe(1, result.ToString());
        result.Stderr.ShouldContain("exited with code 7");
        result.Stderr.ShouldContain("password ***");
        result.Stderr.ShouldNotContain(Secret);
        result.Stdout.ShouldNotContain(Secret);
        File.Exists(Path.Combine(_dir.Path, ".deploy", "proxy", "quickstart.json")).ShouldBeFalse();
    }

    [Fact]
    public async Task Apply_SecretMissing_Exit2NamingTheVariable()
    {
        var spec = Spec(WithSecret);

        var result = await new CliRunner(_dir.Path).RunAsync("apply", spec);

        result.ExitCode.ShouldBe(2);
        result.Stderr.ShouldContain("DEPLOY_VAR_db_password");
    }

    [Fact]
    public async Task Apply_StandbyNotKept_OldColourDrainedDestroyedAndForgotten()
    {
        var spec = Spec(s => s["Standby"] = new JsonObject { ["Keep"] = false, ["DrainTimeout"] = "100ms" });
        await _cli.RunAsync("apply", spec);

        var second = await _cli.RunAsync("apply", spec, "--var", "version=2");

        second.ExitCode.ShouldBe(0, second.ToString());
        second.Stdout.ShouldContain("green is live (version 2); blue retired");
        var groups = await _cli.RunAsync("group", "ls", "--json");
        groups.Stdout.ShouldNotContain("quickstart-blue");
        var instances = await _cli.RunAsync("instance", "describe", "--name", "instance-file", "--tags", "deploy.colour=blue");
        instances.Stdout.Trim().ShouldBe("ID  LOGICAL  TAGS");
    }

    public void Dispose() => _dir.Dispose();
}
