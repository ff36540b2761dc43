using Deploy.Engine.Apps;
using Deploy.Engine.BlueGreen;
using Deploy.Engine.Diagnostics;
using Deploy.Engine.Events;
using Deploy.Engine.Groups;
using Deploy.Engine.Plugins;
using Deploy.Tests.Support;

namespace Deploy.Tests.Apps;

/// <summary>A --var the spec neither declares nor uses is an error, so a typo never deploys the default silently.</summary>
public sealed class UnknownVarTests : IDisposable
{
    private readonly SpecFolder _dir = new();

    private const string Spec = """
        {
          "ID": "shop",
          "Vars": { "version": "1.0.0" },
          "Secrets": ["db_password"],
          "Group": {
            "Allocation": { "Size": 1 },
            "Instance": { "Plugin": "instance-file", "Properties": { "Note": "{{var.version}} in {{var.region}}" } },
            "Flavor": { "Plugin": "flavor-vanilla" }
          }
        }
        """;

    private ResolvedApp Load(params string[] given)
    {
        var vars = given.ToDictionary(n => n, _ => "x");
        vars.TryAdd("region", "eu");
        vars.TryAdd("db_password", "s3cret");
        return _dir.Load(Spec, vars, given: given);
    }

    [Fact]
    public void Load_MisspelledVar_InvalidArgumentNamingTheClosest()
    {
        var e = Should.Throw<DeployException>(() => Load("verison"));

        e.ExitCode.ShouldBe(2);
        e.Diagnostics.Single().ToString().ShouldBe(
            "deploy: error DEPLOY1012: --var verison: unknown var \"verison\": did you mean \"version\"? (known: version, db_password, region); " +
            "the spec neither declares it in Vars or Secrets nor uses {{var.verison}}");
    }

    [Fact]
    public void Load_SeveralUnknownVars_EveryOneReported()
    {
        var e = Should.Throw<DeployException>(() => Load("zone", "regoin"));

        e.Diagnostics.Select(d => d.Message.Split(':')[0]).ShouldBe(["--var regoin", "--var zone"]);
        e.Diagnostics.ShouldAllBe(d => d.Code == Errors.InvalidArgument);
    }

    [Theory]
    [InlineData("version")]
    [InlineData("db_password")]
    [InlineData("region")]
    public void Load_VarDeclaredOrUsedInAPlaceholder_Accepted(string name) => Load(name).Id.ShouldBe("shop");

    [Fact]
    public void Load_VersionTheSpecNeitherDeclaresNorUses_AcceptedAndTagsTheInstances()
    {
        var spec = Spec.Replace("\"Vars\": { \"version\": \"1.0.0\" },", "").Replace("{{var.version}} in ", "");

        var app = _dir.Load(spec, new Dictionary<string, string> { ["version"] = "2.0.0", ["region"] = "eu", ["db_password"] = "s" }, given: ["version"]);

        app.Version.ShouldBe("2.0.0");
        app.Colour("blue").Tags["deploy.version"].ShouldBe("2.0.0");
    }

    [Fact]
    public async Task Plan_OptionalVarTheSpecDoesNotUse_Accepted()
    {
        var apps = AppService.Create(new EngineOptions(Path.Combine(_dir.Path, "state")) { Environment = _ => null });
        var request = new AppRequest(Path.Combine(Repo.Root, "examples", "quickstart", "app.json"))
        {
            Vars = new Dictionary<string, string> { ["version"] = "2", ["publish_dir"] = "/srv/releases/2" },
            OptionalVars = new HashSet<string> { "version", "publish_dir" },
        };

        var plan = await apps.PlanAsync(request, CancellationToken.None);

        plan.ExitCode.ShouldBe(0);
    }

    [Fact]
    public async Task Plan_GivenVarTheSpecDoesNotKnow_ThrowsBeforeAnythingChanges()
    {
        var state = Path.Combine(_dir.Path, "state");
        var apps = AppService.Create(new EngineOptions(state) { Environment = _ => null });
        var request = new AppRequest(Path.Combine(Repo.Root, "examples", "quickstart", "app.json"))
        {
            Vars = new Dictionary<string, string> { ["verison"] = "9" },
        };

        var e = await Should.ThrowAsync<DeployException>(() => apps.ApplyAsync(request, CancellationToken.None));

        e.ExitCode.ShouldBe(2);
        e.Diagnostics.Single().Message.ShouldContain("did you mean \"version\"?");
        Directory.Exists(Path.Combine(state, "groups")).ShouldBeFalse();
    }

    public void Dispose() => _dir.Dispose();
}
