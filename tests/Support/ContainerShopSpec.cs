using System.Text.Json;
using System.Text.Json.Nodes;
using Deploy.Tests.Fixtures;

namespace Deploy.Tests.Support;

/// <summary>
/// examples/containers as users copy it (app.json and nginx.conf), made into a <c>shop</c> app of
/// <see cref="FiveDeployScenario"/>: the hello image by digest, free ports, a proxy container of its own, the test
/// engine, and the knobs that break a version on purpose.
/// </summary>
public sealed class ContainerShopSpec
{
    internal ContainerShopSpec(string app, string spec, string proxyContainer, Uri url, string counterFile)
    {
        App = app;
        Spec = spec;
        ProxyContainer = proxyContainer;
        Url = url;
        CounterFile = counterFile;
    }

    /// <summary>The app's ID, unique per spec: the engine is shared by every test, and an app's lease and state live there.</summary>
    public string App { get; }

    /// <summary>The spec file.</summary>
    public string Spec { get; }

    /// <summary>The name of the nginx container.</summary>
    public string ProxyContainer { get; }

    /// <summary>The app through nginx.</summary>
    public Uri Url { get; }

    /// <summary>The host file every container appends the ids of the POSTs it applied to.</summary>
    public string CounterFile { get; }

    /// <summary>Writes the spec and nginx.conf into <paramref name="dir"/>; <paramref name="folder"/> is a Docker-host folder nginx and the apps can read.</summary>
    public static Task<ContainerShopSpec> WriteAsync(TempDir dir, string folder, string proxyContainer) =>
        WriteAsync(dir, folder, proxyContainer, null);

    /// <summary>
    /// The same on another engine: <paramref name="target"/> says how to reach it (its <c>Host</c> with <c>Tls</c> or
    /// <c>Ssh</c>, for the containers and the proxy alike), the image reference its registry serves, the address the
    /// proxy listens on there, and the vars and secrets the connection uses.
    /// </summary>
    public static async Task<ContainerShopSpec> WriteAsync(TempDir dir, string folder, string proxyContainer, ShopTarget? target)
    {
        var example = Path.Combine(Repo.Root, "examples", "containers");
        var port = ProxyFixtures.FreePortRange(1);
        var ports = ProxyFixtures.FreePortRange(40);
        var listen = target?.ListenAddress ?? "127.0.0.1";
        File.WriteAllText(Path.Combine(folder, "nginx.conf"), File.ReadAllText(Path.Combine(example, "nginx.conf")).Replace("127.0.0.1:8080", $"{listen}:{port}"));
        var counter = Directory.CreateDirectory(Path.Combine(folder, "counter")).FullName;
        File.SetUnixFileMode(counter, (UnixFileMode)0x1FF); // the app runs as the image's user (uid 1654), not root

        var spec = JsonNode.Parse(File.ReadAllText(Path.Combine(example, "app.json")))!.AsObject();
        var app = "shop" + Guid.NewGuid().ToString("N")[..6];
        spec["ID"] = app;
        spec["Vars"] = new JsonObject { ["version"] = "1", ["fail_health"] = "0", ["fail_after"] = "" };
        var instance = spec["Group"]!["Instance"]!["Properties"]!.AsObject();
        instance["Host"] = DockerTestEngine.Host;
        instance["Image"] = target?.Image ?? await HelloImage.ByDigestAsync();
        instance["Ports"] = new JsonObject { ["Host"] = $"{ports}-{ports + 39}" };
        instance["Mounts"] = new JsonArray($"{counter}:/counter");
        var proxy = SetScenarioParts(spec, instance, DockerTestEngine.Host, proxyContainer, $"http://{listen}:{port}/");
        proxy["Boot"]!["Mounts"] = new JsonArray($"{Path.Combine(folder, "nginx.conf")}:/etc/nginx/nginx.conf:ro");
        if (target is not null)
        {
            foreach (var properties in new[] { instance, proxy })
            {
                foreach (var (name, value) in target.Connection)
                {
                    properties[name] = value?.DeepClone();
                }
            }

            foreach (var (name, value) in target.Vars)
            {
                spec["Vars"]![name] = value;
            }

            spec["Secrets"] = new JsonArray(target.Secrets.Select(s => (JsonNode)s!).ToArray());
        }

        var path = dir.Write("shop.json", spec.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return new ContainerShopSpec(app, path, proxyContainer, new Uri($"http://{listen}:{port}/"), Path.Combine(counter, "counter.txt"));
    }

    /// <summary>
    /// What the containers' and the Swarm's shop specs both set for the five-deploy scenario: the app's failure switches
    /// from vars (in <paramref name="app"/>'s Env), the health deadline, a 1 s verify, and the nginx container proxy on
    /// <paramref name="host"/> answering at <paramref name="url"/>. Returns the proxy's properties.
    /// </summary>
    internal static JsonObject SetScenarioParts(JsonObject spec, JsonObject app, string host, string proxyContainer, string url)
    {
        var env = app["Env"]!.AsObject();
        env["APP_FAIL_HEALTH"] = "{{var.fail_health}}";
        env["APP_FAIL_AFTER"] = "{{var.fail_after}}";
        env["APP_COUNTER_FILE"] = "/counter/counter.txt";
        spec["Health"]!["Deadline"] = "20s";
        spec["Verify"]!["Duration"] = "1s";
        var proxy = spec["Proxy"]!["Properties"]!.AsObject();
        proxy["Host"] = host;
        proxy["Container"] = proxyContainer;
        proxy["Url"] = url;
        proxy["Boot"]!["Image"] = DockerTestEngine.Nginx;
        return proxy;
    }
}

/// <summary>Where a <see cref="ContainerShopSpec"/> deploys when it is not the tests' local engine.</summary>
/// <param name="Connection"><c>Host</c> and its <c>Tls</c>, <c>Ssh</c>, <c>AllowPlainTcp</c>, set on the containers and on the proxy.</param>
/// <param name="Image">The hello image as that engine pulls it.</param>
/// <param name="ListenAddress">The address nginx listens on there, which the tests reach.</param>
/// <param name="Vars">Vars the connection uses (added to the spec's).</param>
/// <param name="Secrets">The spec's Secrets (values passed by the test as DEPLOY_VAR_*).</param>
public sealed record ShopTarget(JsonObject Connection, string Image, string ListenAddress, IReadOnlyDictionary<string, string> Vars, IReadOnlyList<string> Secrets);
