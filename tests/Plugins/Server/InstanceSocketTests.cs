using System.Text.Json;

namespace Deploy.Tests.Plugins.Server;

/// <summary>instance-file behind its socket, driven with InfraKit's instance requests; asserted on the files it keeps.</summary>
public sealed class InstanceSocketTests
{
    [Fact]
    public async Task InstanceFile_ProvisionDescribeDestroy_KeepsTaggedFiles()
    {
        await using var served = await ServedPlugins.StartAsync();

        (await served.PostAsync("instance-file", "/Instance.Validate", """{"Note": "anything"}""")).ShouldBe(new PluginAnswer(200, ""));

        var provision = await served.PostAsync("instance-file", "/Instance.Provision", """
            {"Properties": {"Note": "v1"}, "Tags": {"tier": "web", "deploy.group": "sock"}, "Init": "echo hi", "LogicalID": null, "Attachments": null}
            """);
        provision.Status.ShouldBe(200, provision.ToString());
        var id = provision.Json.GetProperty("ID").GetString()!;
        id.ShouldMatch("^instance-[0-9]+$");

        var file = served.InstanceFiles.ShouldHaveSingleItem();
        Path.GetFileName(file).ShouldBe(id);
        var record = JsonDocument.Parse(File.ReadAllText(file)).RootElement;
        record.GetProperty("Tags").GetProperty("tier").GetString().ShouldBe("web");
        record.GetProperty("Spec").GetProperty("Init").GetString().ShouldBe("echo hi");
        record.GetProperty("Spec").GetProperty("Properties").GetProperty("Note").GetString().ShouldBe("v1");

        var web = await served.PostAsync("instance-file", "/Instance.DescribeInstances", """{"tier": "web"}""");
        web.Status.ShouldBe(200, web.ToString());
        var described = web.Json.EnumerateArray().ShouldHaveSingleItem();
        described.GetProperty("ID").GetString().ShouldBe(id);
        described.GetProperty("LogicalID").ValueKind.ShouldBe(JsonValueKind.Null);
        described.GetProperty("Tags").GetProperty("deploy.group").GetString().ShouldBe("sock");
        described.TryGetProperty("Endpoint", out _).ShouldBeFalse(); // files have no endpoint: the extension is left out

        (await served.PostAsync("instance-file", "/Instance.DescribeInstances", """{"tier": "db"}""")).Body.ShouldBe("[]");

        (await served.PostAsync("instance-file", $"/Instance.Destroy/{id}")).ShouldBe(new PluginAnswer(200, ""));
        served.InstanceFiles.ShouldBeEmpty();
        (await served.PostAsync("instance-file", "/Instance.DescribeInstances", "{}")).Body.ShouldBe("[]");
    }

    [Fact]
    public async Task InstanceProcess_ProvisionDescribeDestroy_DescribesItsEndpoint()
    {
        await using var served = await ServedPlugins.StartAsync();

        var provision = await served.PostAsync("instance-process", "/Instance.Provision", """
            {"Properties": {"Command": ["sleep", "120"], "Ports": {"From": 47100, "To": 47199}}, "Tags": {"deploy.group": "sock"}}
            """);
        provision.Status.ShouldBe(200, provision.ToString());
        var id = provision.Json.GetProperty("ID").GetString()!;
        try
        {
            var described = await served.PostAsync("instance-process", "/Instance.DescribeInstances", """{"deploy.group": "sock"}""");
            var instance = described.Json.EnumerateArray().ShouldHaveSingleItem();
            instance.GetProperty("ID").GetString().ShouldBe(id);
            instance.GetProperty("Endpoint").GetString().ShouldMatch(@"^[^:]+:471[0-9][0-9]$"); // Deploy's extension of Description
        }
        finally
        {
            (await served.PostAsync("instance-process", $"/Instance.Destroy/{id}")).Status.ShouldBe(200);
        }

        (await served.PostAsync("instance-process", "/Instance.DescribeInstances", """{"deploy.group": "sock"}""")).Body.ShouldBe("[]");
    }

    [Fact]
    public async Task InstanceProvision_BadSpec_Answers400WithEveryLocatedError()
    {
        await using var served = await ServedPlugins.StartAsync();

        var answer = await served.PostAsync("instance-file", "/Instance.Provision", """
            {"Properties": {}, "Tags": {"tier": 3}, "Attachments": ["vol-1"]}
            """);

        answer.Status.ShouldBe(400, answer.ToString());
        answer.Error.ShouldContain("Instance.Provision(1,");
        answer.Error.ShouldContain("error DEPLOY1005: $.Tags.tier: must be a string (was the number 3)");
        answer.Error.ShouldContain("$.Attachments: Deploy's instance plugins have no attachments");
        served.InstanceFiles.ShouldBeEmpty();
    }

    [Fact]
    public async Task InstanceProvision_FolderCannotBeCreated_Answers500WithTheEnvelope()
    {
        // instance-file's folder under a regular file: creating it fails in the plugin, not in the request.
        var blocker = Path.Combine(Path.GetTempPath(), "deploy-tests", "blocker-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(Path.GetDirectoryName(blocker)!);
        await File.WriteAllTextAsync(blocker, "not a folder");
        try
        {
            await using var served = await ServedPlugins.StartAsync(fileDir: Path.Combine(blocker, "instances"));

            var answer = await served.PostAsync("instance-file", "/Instance.Provision", """{"Properties": null, "Tags": {"tier": "web"}}""");

            answer.Status.ShouldBe(500, answer.ToString());
            answer.Error.ShouldStartWith("deploy: error DEPLOY3001: instance-file Instance.Provision failed unexpectedly: ");
            answer.Body.ShouldNotContain("   at "); // the stack stays in the server's log
            served.Serve.Output.ShouldContain("at Deploy.Engine.Plugins.Instance.FileInstancePlugin");
        }
        finally
        {
            File.Delete(blocker);
        }
    }
}
