namespace Deploy.Tests.Plugins.Server;

/// <summary>flavor-vanilla behind its socket, driven with InfraKit's flavor requests.</summary>
public sealed class FlavorSocketTests
{
    [Fact]
    public async Task FlavorVanilla_PreProvisionAndHealthy_AnswerInfraKitShapes()
    {
        await using var served = await ServedPlugins.StartAsync();

        var validate = await served.PostAsync("flavor-vanilla", "/Flavor.Validate", """
            {"Properties": {"UserData": ["a"], "Labels": {"tier": "web"}}, "Allocation": {"Size": 0}}
            """);
        validate.ShouldBe(new PluginAnswer(200, ""));

        var prepared = await served.PostAsync("flavor-vanilla", "/Flavor.PreProvision", """
            {"Properties": {"UserData": ["docker run -dit -p 80:80 nginx:alpine", "echo done"], "Labels": {"tier": "web", "project": "app"}},
             "Instance": {"Properties": {"Note": "v1"}, "Tags": {"deploy.group": "app-blue"}, "Init": "", "LogicalID": null, "Attachments": null},
             "Allocation": {"Size": 2}}
            """);

        prepared.Status.ShouldBe(200, prepared.ToString());
        var spec = prepared.Json;
        spec.GetProperty("Init").GetString().ShouldBe("docker run -dit -p 80:80 nginx:alpine\necho done");
        spec.GetProperty("Tags").GetProperty("tier").GetString().ShouldBe("web");
        spec.GetProperty("Tags").GetProperty("project").GetString().ShouldBe("app");
        spec.GetProperty("Tags").GetProperty("deploy.group").GetString().ShouldBe("app-blue");
        spec.GetProperty("Properties").GetProperty("Note").GetString().ShouldBe("v1");

        var healthy = await served.PostAsync("flavor-vanilla", "/Flavor.Healthy", """{"ID": "instance-1", "LogicalID": null, "Tags": {"tier": "web"}}""");
        healthy.Status.ShouldBe(200, healthy.ToString());
        healthy.Json.GetProperty("Healthy").GetBoolean().ShouldBeTrue();
        healthy.Json.GetProperty("Instance").GetProperty("ID").GetString().ShouldBe("instance-1");
    }

    [Fact]
    public async Task FlavorValidate_ReservedLabel_Answers400WithItsPath()
    {
        await using var served = await ServedPlugins.StartAsync();

        var answer = await served.PostAsync("flavor-vanilla", "/Flavor.Validate", """{"Properties": {"Labels": {"deploy.colour": "blue"}}}""");

        answer.Status.ShouldBe(400, answer.ToString());
        answer.Error.ShouldStartWith("Flavor.Validate(1,");
        answer.Error.ShouldEndWith("error DEPLOY1007: $.Properties.Labels['deploy.colour']: labels starting with 'deploy.' are reserved for the engine; rename it");
    }
}
