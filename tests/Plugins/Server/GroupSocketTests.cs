using System.Text.Json;
using Deploy.Tests.Support;

namespace Deploy.Tests.Plugins.Server;

/// <summary>
/// The <c>group</c> socket driven with the InfraKit tutorial's group files, as <c>infrakit group watch app-blue-group.json</c>
/// sends them; asserted on the instance files and on what <c>deploy group inspect</c> sees afterwards.
/// </summary>
public sealed class GroupSocketTests
{
    private static string Tutorial(string file) => File.ReadAllText(Path.Combine(Repo.Root, "examples", "tutorial", file));

    [Fact]
    public async Task GroupSocket_TutorialWatchInspectUpdateDestroy_ConvergesAsTheCliDoes()
    {
        await using var served = await ServedPlugins.StartAsync();

        (await served.PostAsync("group", "/Group.Watch", Tutorial("app-blue-group.json"))).ShouldBe(new PluginAnswer(200, ""));
        served.InstanceFiles.Length.ShouldBe(2);
        (await served.PostAsync("group", "/Group.Watch", Tutorial("app-blue-group.json"))).ShouldBe(new PluginAnswer(200, "")); // same spec: no-op

        var inspect = await served.PostAsync("group", "/Group.Inspect/app-blue");
        inspect.Status.ShouldBe(200, inspect.ToString());
        var members = inspect.Json.GetProperty("Instances").EnumerateArray().ToList();
        members.Count.ShouldBe(2);
        members.ShouldAllBe(m => m.GetProperty("Tags").GetProperty("deploy.config_sha").GetString() == "l9lqpBGJSWIrDOtrliJRGSK1y60=");
        members.ShouldAllBe(m => m.GetProperty("Tags").GetProperty("deploy.group").GetString() == "app-blue");
        members.ShouldAllBe(m => m.GetProperty("Tags").GetProperty("tier").GetString() == "web");
        members.Select(m => m.GetProperty("ID").GetString()).Order().ShouldBe(served.InstanceFiles.Select(f => Path.GetFileName(f)).Order());

        var cliInspect = await served.Cli.RunAsync(["group", "inspect", "app-blue", "--json", .. served.Options]);
        cliInspect.ExitCode.ShouldBe(0, cliInspect.ToString());
        JsonDocument.Parse(cliInspect.Stdout).RootElement.GetArrayLength().ShouldBe(2);

        var plan = await served.PostAsync("group", "/Group.DescribeUpdate", Tutorial("app-blue-group-2.json"));
        plan.Status.ShouldBe(200, plan.ToString());
        plan.Json.GetProperty("message").GetString().ShouldBe("Performs a rolling update on 2 instances");

        (await served.PostAsync("group", "/Group.Update", Tutorial("app-blue-group-2.json"))).ShouldBe(new PluginAnswer(200, ""));
        served.InstanceFiles.Length.ShouldBe(2);
        served.InstanceFiles.ShouldAllBe(f => File.ReadAllText(f).Contains("jHUgS68HiWOOPrTmbHy00-YV9QI="));
        served.Serve.Output.ShouldContain("Executing update plan for 'app-blue': Performs a rolling update on 2 instances");
        served.Serve.Output.ShouldContain("Finished updating group app-blue");

        // Nothing in flight: nothing to stop, as in InfraKit.
        (await served.PostAsync("group", "/Group.StopUpdate/app-blue")).ShouldBe(new PluginAnswer(200, ""));
        (await served.PostAsync("group", "/Group.DescribeUpdate", Tutorial("app-blue-group-2.json"))).Json.GetProperty("message").GetString().ShouldBe("Noop");

        (await served.PostAsync("group", "/Group.Destroy/app-blue")).ShouldBe(new PluginAnswer(200, ""));
        served.InstanceFiles.ShouldBeEmpty();
        var ls = await served.Cli.RunAsync(["group", "ls", "--json", .. served.Options]);
        ls.Stdout.Trim().ShouldBe("[]");
    }

    [Fact]
    public async Task GroupSocket_UnwatchThenWatchOtherSpec_FreesAndRefusesLikeTheCli()
    {
        await using var served = await ServedPlugins.StartAsync();
        (await served.PostAsync("group", "/Group.Watch", Tutorial("app-green-group.json"))).Status.ShouldBe(200);

        var other = await served.PostAsync("group", "/Group.Watch", Tutorial("app-green-group.json").Replace("version 2.0", "version 9.0"));
        other.Status.ShouldBe(400, other.ToString());
        other.Error.ShouldBe("Group.Watch: error DEPLOY1014: group app-green is already watched with a different spec; use Group.Update (or 'deploy group update FILE') to change it");

        (await served.PostAsync("group", "/Group.Unwatch/app-green")).ShouldBe(new PluginAnswer(200, ""));
        served.InstanceFiles.Length.ShouldBe(2); // freed, not destroyed
        (await served.PostAsync("group", "/Group.Inspect/app-green")).Status.ShouldBe(400);
    }

    [Fact]
    public async Task GroupSocket_BadSpecAndUnknownGroup_Answer400WithSingleQuotedEnvelope()
    {
        await using var served = await ServedPlugins.StartAsync();

        var bad = await served.PostAsync("group", "/Group.Watch",
            Tutorial("app-blue-group.json").Replace("\"Size\": 2", "\"Size\": 2, \"LogicalIDs\": [\"a\"]").Replace("instance-file", "instance-nope"));

        bad.Status.ShouldBe(400, bad.ToString());
        bad.Body.ShouldStartWith("{\"error\": \"");
        var lines = bad.Error.Split('\n');
        lines.ShouldContain(l => l.StartsWith("Group.Watch(") && l.Contains("error DEPLOY1002: $.Properties.Allocation"));
        lines.ShouldContain(l => l.Contains("error DEPLOY1006: $.Properties.Instance.Plugin: unknown instance plugin 'instance-nope'"));
        bad.Error.ShouldNotContain("\"");
        served.InstanceFiles.ShouldBeEmpty();

        var unknown = await served.PostAsync("group", "/Group.Inspect/nope");
        unknown.Status.ShouldBe(400, unknown.ToString());
        unknown.Error.ShouldStartWith("deploy: error DEPLOY1013: no group 'nope' is watched here");
        unknown.Body.ShouldContain("'nope'"); // single quotes on the wire, not \u0027

        (await served.PostAsync("group", "/Group.StopUpdate/nope")).Status.ShouldBe(400);
        (await served.PostAsync("group", "/Group.Update")).Error.ShouldContain("the request has no body");

        var missing = await served.PostAsync("group", "/Group.Frobnicate");
        missing.Status.ShouldBe(404, missing.ToString());
        missing.Error.ShouldContain("plugin 'group' has no method /Group.Frobnicate");
    }
}
