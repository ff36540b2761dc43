using System.Text.Json;
using System.Text.Json.Nodes;

namespace Deploy.Tests.Support;

/// <summary>The hello app as a blue/green spec with process instances behind a given proxy section.</summary>
public static class ShopSpec
{
    /// <summary>How many ports the instances may use, from <c>portFrom</c> on.</summary>
    public const int PortCount = 40;

    /// <summary>
    /// The spec's JSON. Instances listen on ports from <paramref name="portFrom"/> (take one from
    /// <c>ProxyFixtures.FreePortRange(ShopSpec.PortCount)</c>); every instance of both colours appends the ids of the
    /// <c>POST /counter</c> requests it handled to <paramref name="counterFile"/> (none when null).
    /// </summary>
    public static string Json(string helloDll, int portFrom, JsonObject proxy, string verifyDuration = "8s", int size = 2,
        string health = "/healthz", JsonObject? hooks = null, string? counterFile = null) =>
        new JsonObject
        {
            ["ID"] = "shop",
            ["Vars"] = new JsonObject { ["version"] = "1", ["fail_health"] = "0", ["fail_after"] = "" },
            ["Colours"] = new JsonObject { ["blue"] = new JsonObject(), ["green"] = new JsonObject() },
            ["Group"] = new JsonObject
            {
                ["Allocation"] = new JsonObject { ["Size"] = size },
                ["Instance"] = new JsonObject
                {
                    ["Plugin"] = "instance-process",
                    ["Properties"] = new JsonObject
                    {
                        ["Command"] = new JsonArray("dotnet", helloDll),
                        ["Env"] = new JsonObject
                        {
                            ["APP_VERSION"] = "{{var.version}}",
                            ["APP_COLOUR"] = "{{colour}}",
                            ["APP_FAIL_HEALTH"] = "{{var.fail_health}}",
                            ["APP_FAIL_AFTER"] = "{{var.fail_after}}",
                            ["APP_COUNTER_FILE"] = counterFile ?? "",
                        },
                        ["Ports"] = new JsonObject { ["From"] = portFrom, ["To"] = portFrom + PortCount - 1 },
                        ["StopTimeout"] = "5s",
                    },
                },
                ["Flavor"] = new JsonObject { ["Plugin"] = "flavor-vanilla", ["Properties"] = new JsonObject { ["Labels"] = new JsonObject { ["tier"] = "web" } } },
            },
            ["Health"] = new JsonObject { ["Path"] = health, ["Interval"] = "200ms", ["Timeout"] = "2s", ["HealthyThreshold"] = 2, ["Deadline"] = "30s" },
            ["Verify"] = new JsonObject { ["Path"] = "/version", ["Expect"] = "{{var.version}}", ["Duration"] = verifyDuration },
            ["Proxy"] = proxy,
            ["Hooks"] = hooks ?? new JsonObject(),
        }.ToJsonString(new JsonSerializerOptions { WriteIndented = true });

    /// <summary>The proxy-nginx section for a test nginx.</summary>
    public static JsonObject Nginx(Fixtures.NginxServer nginx) => new()
    {
        ["Plugin"] = "proxy-nginx",
        ["Properties"] = JsonNode.Parse(nginx.Target().Properties!.Value.GetRawText()),
    };
}
