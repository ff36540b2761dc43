using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using Deploy.Engine.Events;
using Deploy.Engine.State;
using Deploy.Tests.Support;
using Xunit.Abstractions;

namespace Deploy.Tests.Tasks;

/// <summary>
/// The package as users get it: real <c>dotnet build</c> and <c>dotnet publish</c> of a consumer project that
/// references the packed Deploy.Tasks, on the embedded defaults (file instances, file proxy in the state folder).
/// </summary>
[Collection(PackedConsumerCollection.Name)]
public sealed class ConsumerBuildTests(PackedConsumer consumer, ITestOutputHelper output)
{
    private const string QuickstartSpec = """
        {
          "ID": "quickstart",
          "Vars": { "version": "1" },
          "Colours": { "blue": {}, "green": {} },
          "Group": {
            "Allocation": { "Size": 2 },
            "Instance": { "Plugin": "instance-file", "Properties": { "Note": "app version {{var.version}} on {{colour}}" } },
            "Flavor": { "Plugin": "flavor-vanilla" }
          }
        }
        """;

    // Runs the freshly published app from its release folder; the consumer prints its assembly version.
    private const string ShopSpec = """
        {
          "ID": "shop",
          "Colours": { "blue": {}, "green": {} },
          "Group": {
            "Allocation": { "Size": 2 },
            "Instance": {
              "Plugin": "instance-file",
              "Properties": { "Command": ["dotnet", "{{var.publish_dir}}/consumer.dll"], "Release": "{{var.version}}" }
            },
            "Flavor": { "Plugin": "flavor-vanilla" }
          }
        }
        """;

    [Fact]
    public async Task BlueGreenPlan_RelativeSpec_PrintsThePlanAndChangesNothing()
    {
        var run = consumer.NewRun("plan");
        var specs = Path.Combine(consumer.Project, "specs");
        Directory.CreateDirectory(specs);
        File.WriteAllText(Path.Combine(specs, "plan.json"), QuickstartSpec);

        // -p:DeployVar_NAME=VALUE: a var per property, nothing for MSBuild to split (docs/msbuild.md runs the same).
        var plan = await Build("build", "-t:BlueGreenPlan", "-p:DeploySpec=specs/plan.json", $"-p:DeployState={run}/state", "-p:DeployVar_version=7");

        plan.ExitCode.ShouldBe(0, plan.ToString());
        plan.Output.ShouldContain("idle: blue -> version 7");
        plan.Output.ShouldContain("quickstart: would deploy version 7 to blue and flip");
        plan.Output.ShouldContain("deploy-outputs: live=blue previous= version=7 changed=False"); // live: what apply would make live
        Directory.Exists(Path.Combine(run, "state", "instances")).ShouldBeFalse();
        File.Exists(Path.Combine(run, "state", "proxy", "quickstart.json")).ShouldBeFalse();
    }

    [Fact]
    public async Task BlueGreenPlan_VarMissing_HintsInMsBuildSyntax()
    {
        var run = consumer.NewRun("plan-missing-var");
        var spec = Path.Combine(run, "shop.json");
        File.WriteAllText(spec, ShopSpec);

        var plan = await Build("build", "-t:BlueGreenPlan", $"-p:DeploySpec={spec}", $"-p:DeployState={run}/state", "-p:DeployVar_version=2.0.0");

        plan.ExitCode.ShouldNotBe(0, plan.ToString());
        plan.Output.ShouldContain("error DEPLOY1008: $.Group.Instance.Properties.Command[1]: {{var.publish_dir}} has no value");
        plan.Output.ShouldContain("-p:DeployVar_publish_dir=VALUE");
        plan.Output.ShouldNotContain("--var");
    }

    [Fact]
    public async Task PublishWithDeployOnPublish_TwoVersions_AlternatesColoursAndSetsOutputs()
    {
        var run = consumer.NewRun("publish");
        var props = ShopProperties(run);

        var first = await Build("publish", ["-p:DeployOnPublish=true", "-p:Version=1.0.0", .. props]);
        first.ExitCode.ShouldBe(0, first.ToString());
        first.Output.ShouldContain("deploy-outputs: live=blue previous= version=1.0.0 changed=True");
        Route(run).Colour.ShouldBe("blue");

        var second = await Build("publish", ["-p:DeployOnPublish=true", "-p:Version=2.0.0", .. props]);
        second.ExitCode.ShouldBe(0, second.ToString());
        second.Output.ShouldContain("flip: blue -> green");
        second.Output.ShouldContain("deploy-outputs: live=green previous=blue version=2.0.0 changed=True");
        Route(run).Colour.ShouldBe("green");
        Route(run).Servers.Order().ShouldBe(Instances(run, "green").Select(i => i.Id).Order());
        Instances(run, "green").ShouldAllBe(i => i.Command == Path.Combine(run, "releases", "2.0.0", "consumer.dll"));
        Instances(run, "blue").ShouldAllBe(i => i.Command == Path.Combine(run, "releases", "1.0.0", "consumer.dll"));
    }

    [Fact]
    public async Task BlueGreenRollback_AfterTwoPublishes_LiveColourRunsTheFirstRelease()
    {
        var run = consumer.NewRun("rollback");
        var props = ShopProperties(run);
        (await Build("publish", ["-p:DeployOnPublish=true", "-p:Version=1.0.0", .. props])).ExitCode.ShouldBe(0);
        (await Build("publish", ["-p:DeployOnPublish=true", "-p:Version=2.0.0", .. props])).ExitCode.ShouldBe(0);

        var rollback = await Build("build", ["-t:BlueGreenRollback", .. props]);

        rollback.ExitCode.ShouldBe(0, rollback.ToString());
        rollback.Output.ShouldContain("deploy-outputs: live=blue previous=green version=1.0.0 changed=True");
        Route(run).Colour.ShouldBe("blue");
        var live = Instances(run, "blue");
        live.Count.ShouldBe(2);
        live.ShouldAllBe(i => i.Release == "1.0.0");
        var dll = live[0].Command;
        dll.ShouldBe(Path.Combine(run, "releases", "1.0.0", "consumer.dll"));
        AssemblyName.GetAssemblyName(dll).Version.ShouldBe(new Version(1, 0, 0, 0));
        var ran = await new DotnetCli(run).RunAsync(dll);
        ran.Output.Trim().ShouldBe("1.0.0.0", ran.ToString());
    }

    [Fact]
    public async Task BlueGreenDeploy_SpecWithErrors_FailsWithACanonicalLinePerError()
    {
        var run = consumer.NewRun("errors");
        var spec = Path.Combine(run, "app.json");
        File.WriteAllText(spec, """
            {
              "ID": "broken",
              "Colours": { "blue": {}, "green": {} },
              "Group": {
                "Allocation": { "Size": -1 },
                "Instance": { "Plugin": "instance-nope" },
                "Flavor": { "Plugin": "flavor-vanilla" }
              }
            }
            """);

        var deploy = await Build("build", "-t:BlueGreenDeploy", $"-p:DeploySpec={spec}", $"-p:DeployState={run}/state");

        deploy.ExitCode.ShouldNotBe(0, deploy.ToString());
        var errors = Regex.Matches(deploy.Output, @"^(?<file>[^\s(]+)\((?<line>\d+),(?<col>\d+)\): error (?<code>DEPLOY\d{4}): (?<message>.*?) \[", RegexOptions.Multiline)
            .Select(m => $"{m.Groups["file"].Value}({m.Groups["line"].Value},{m.Groups["col"].Value}): {m.Groups["code"].Value}: {m.Groups["message"].Value}")
            .Distinct().ToList();
        errors.Count.ShouldBe(2, deploy.ToString());
        errors[0].ShouldBe($"{spec}(5,29): DEPLOY1003: $.Group.Allocation.Size: must be at least 0 (was -1)", deploy.ToString());
        // The message goes on to name the folder searched for external plugins' sockets, which depends on HOME.
        errors[1].ShouldStartWith($"{spec}(6,29): DEPLOY1006: $.Group.Instance.Plugin: unknown instance plugin \"instance-nope\"; known instance plugins: instance-docker, instance-file, instance-process; no socket \"instance-nope\" in ", Case.Sensitive, deploy.ToString());
        deploy.Output.ShouldContain("2 Error(s)");
        Directory.Exists(Path.Combine(run, "state", "instances")).ShouldBeFalse();
    }

    [Fact]
    public async Task BlueGreenDeploy_AppLockHeldByALiveProcess_FailsWithDeploy2001AndChangesNothing()
    {
        var run = consumer.NewRun("locked");
        var spec = Path.Combine(run, "app.json");
        File.WriteAllText(spec, QuickstartSpec);
        string[] props = [$"-p:DeploySpec={spec}", $"-p:DeployState={run}/state"];
        (await Build("build", ["-t:BlueGreenDeploy", "-p:DeployVars=version=1", .. props])).ExitCode.ShouldBe(0);
        var before = Snapshot(run);

        DotnetResult deploy;
        using (LockFile.Acquire(Path.Combine(run, "state", "locks"), "app-quickstart", "test holding the lock", NullEvents.Instance))
        {
            deploy = await Build("build", ["-t:BlueGreenDeploy", "-p:DeployVars=version=2", .. props]);
        }

        deploy.ExitCode.ShouldNotBe(0, deploy.ToString());
        deploy.Output.ShouldMatch(@"error DEPLOY2001: app-quickstart is locked by pid \d+");
        Snapshot(run).ShouldBe(before);
    }

    [Fact]
    public async Task PlainBuild_WithoutOptIn_RunsNoDeployTarget()
    {
        File.WriteAllText(Path.Combine(consumer.Project, "deploy.json"), QuickstartSpec);
        try
        {
            var build = await Build("build", "-v:d");

            build.ExitCode.ShouldBe(0, build.ToString());
            build.Output.ShouldContain("Deploy.Tasks.targets"); // imported...
            build.Output.ShouldNotMatch(@"Target ""(BlueGreen\w*|_Deploy\w*)"" in file"); // ...but no target of it ran
            build.Output.ShouldNotContain("Deploy.Tasks.dll");
            Directory.Exists(Path.Combine(consumer.Project, ".deploy")).ShouldBeFalse();
        }
        finally
        {
            File.Delete(Path.Combine(consumer.Project, "deploy.json"));
        }
    }

    private async Task<DotnetResult> Build(string verb, params string[] args)
    {
        var result = await consumer.Dotnet.BuildAsync(verb, args);
        output.WriteLine($"dotnet {result.Command}: exit {result.ExitCode} in {result.Duration.TotalSeconds:0.0}s");
        return result;
    }

    private static string[] ShopProperties(string run)
    {
        var spec = Path.Combine(run, "shop.json");
        File.WriteAllText(spec, ShopSpec);
        return [$"-p:DeploySpec={spec}", $"-p:DeployState={run}/state", $"-p:DeployReleasesDir={run}/releases"];
    }

    private static RouteFile Route(string run) =>
        JsonSerializer.Deserialize<RouteFile>(File.ReadAllText(Path.Combine(run, "state", "proxy", "shop.json")))!;

    // The file plugin records each instance's resolved properties and tags.
    private static List<InstanceFile> Instances(string run, string colour) =>
        Directory.GetFiles(Path.Combine(run, "state", "instances"), "instance-*")
            .Select(f => JsonDocument.Parse(File.ReadAllText(f)).RootElement)
            .Where(e => e.GetProperty("Tags").GetProperty("deploy.colour").GetString() == colour)
            .Select(e => new InstanceFile(
                e.GetProperty("ID").GetString()!,
                e.GetProperty("Spec").GetProperty("Properties").GetProperty("Command")[1].GetString()!,
                e.GetProperty("Spec").GetProperty("Properties").GetProperty("Release").GetString()!))
            .ToList();

    // Every instance file and the route, by name and content.
    private static Dictionary<string, string> Snapshot(string run)
    {
        var state = Path.Combine(run, "state");
        return Directory.GetFiles(Path.Combine(state, "instances")).Append(Path.Combine(state, "proxy", "quickstart.json"))
            .ToDictionary(f => Path.GetRelativePath(state, f), File.ReadAllText);
    }

    private sealed record RouteFile(string App, string Colour, List<string> Servers);

    private sealed record InstanceFile(string Id, string Command, string Release);
}
