using System.Text.Json.Nodes;
using Deploy.Tests.Support;

namespace Deploy.Tests.BlueGreen;

/// <summary>Relative program paths in a spec resolve against the spec's folder, whatever folder the CLI runs in.</summary>
public sealed class SpecFolderPathsTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Apply_RelativeHookScriptRunFromAnotherFolder_RunsTheScriptBesideTheSpecInTheSpecsFolder()
    {
        var app = Path.Combine(_dir.Path, "examples", "app");
        Directory.CreateDirectory(app);
        var script = Path.Combine(app, "smoke-test.sh");
        File.WriteAllText(script, "#!/bin/sh\npwd > smoke-ran-in\necho \"$DEPLOY_COLOUR\" >> smoke-ran-in\n");
        File.SetUnixFileMode(script, File.GetUnixFileMode(script) | UnixFileMode.UserExecute);
        var spec = JsonNode.Parse(File.ReadAllText(Path.Combine(Repo.Root, "examples", "quickstart", "app.json")))!.AsObject();
        spec["Hooks"] = new JsonObject { ["BeforeFlip"] = new JsonArray("./smoke-test.sh") };
        File.WriteAllText(Path.Combine(app, "app.json"), spec.ToJsonString());

        // From the folder two levels up, as `deploy apply examples/nginx/shop.json` is run from the repository root.
        var result = await new CliRunner(_dir.Path).RunAsync("apply", "examples/app/app.json");

        result.ExitCode.ShouldBe(0, result.ToString());
        File.ReadAllLines(Path.Combine(app, "smoke-ran-in")).ShouldBe([app, "blue"]);
        File.Exists(Path.Combine(_dir.Path, "smoke-ran-in")).ShouldBeFalse();
    }
}
