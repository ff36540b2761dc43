using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Deploy.Engine.Plugins.Instance;
using Deploy.Tests.Fixtures;

namespace Deploy.Tests.Support;

/// <summary>
/// examples/swarm as users copy it (app.json and nginx.conf), made into an app of <see cref="FiveDeployScenario"/> on the
/// tests' two-node Swarm: the hello image by digest from the registry both nodes pull from, a block of free ports, a
/// proxy container of its own on the manager, a counter file both nodes write (they share this machine's filesystem),
/// and the knobs that break a version on purpose. Its tasks are containers too: the result is a <see cref="ContainerShopSpec"/>.
/// </summary>
public static class SwarmShopSpec
{
    private static int _nextBlock;

    /// <summary>
    /// Writes the spec and nginx.conf into <paramref name="dir"/>; <paramref name="folder"/> holds the counter file.
    /// <paramref name="maxPerNode"/> overrides the example's MaxReplicasPerNode (1: one task per node).
    /// </summary>
    public static async Task<ContainerShopSpec> WriteAsync(TempDir dir, string folder, string proxyContainer, SwarmCluster swarm, int? maxPerNode = null)
    {
        var example = Path.Combine(Repo.Root, "examples", "swarm");
        var port = ProxyFixtures.FreePortRange(1);
        dir.Write("nginx.conf", File.ReadAllText(Path.Combine(example, "nginx.conf")).Replace("127.0.0.1:8080", $"127.0.0.1:{port}"));
        var counter = Directory.CreateDirectory(Path.Combine(folder, "counter")).FullName;
        File.SetUnixFileMode(counter, (UnixFileMode)0x1FF); // the app runs as the image's user (uid 1654), not root

        var spec = JsonNode.Parse(File.ReadAllText(Path.Combine(example, "app.json")))!.AsObject();
        var app = "swarm" + Guid.NewGuid().ToString("N")[..6];
        spec["ID"] = app;
        spec["Vars"] = new JsonObject { ["version"] = "1", ["fail_health"] = "0", ["fail_after"] = "" };
        var service = spec["Group"]!["Orchestrator"]!["Properties"]!.AsObject();
        service["Host"] = swarm.Socket;
        var image = await HelloImage.ByDigestAsync();
        service["Image"] = swarm.Registry + image[image.IndexOf('/')..];
        var ports = FreeBlocks();
        service["Ports"] = $"{ports}-{ports + 199}";
        service["Mounts"] = new JsonArray($"{counter}:/counter");
        if (maxPerNode is { } max)
        {
            service["MaxReplicasPerNode"] = max;
        }

        ContainerShopSpec.SetScenarioParts(spec, service, swarm.Socket, proxyContainer, $"http://127.0.0.1:{port}/");

        var path = dir.Write("shop.json", spec.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return new ContainerShopSpec(app, path, proxyContainer, new Uri($"http://127.0.0.1:{port}/"), Path.Combine(counter, "counter.txt"));
    }

    // Two aligned blocks of 100 (one per colour) that nothing listens on: the tasks bind all interfaces of their node. Taken
    // in turn, never twice in a test run: a task of a destroyed service may hold its port on a node for a moment longer.
    private static int FreeBlocks()
    {
        for (var attempt = 0; attempt < 40; attempt++)
        {
            var from = 33000 + (Interlocked.Increment(ref _nextBlock) + Environment.ProcessId) % 30 * 200;
            if (Enumerable.Range(from, 200).All(port => LocalPorts.CanBind(IPAddress.Any, port)))
            {
                return from;
            }
        }

        throw new InvalidOperationException("no free block of 200 ports between 33000 and 38999");
    }
}
