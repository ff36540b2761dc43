using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Deploy.Engine.Docker;
using Deploy.Engine.Plugins.Instance;
using Deploy.Tests.Fixtures;
using Deploy.Tests.Support;

namespace Deploy.Bench;

/// <summary>
/// A new version on the tests' two-node Swarm (<c>tests/infra/swarm.sh</c>, its <c>DEPLOY_TEST_SWARM_*</c> exported),
/// under 8 keep-alive clients through nginx in a container on the manager: blue/green with Deploy (examples/swarm as
/// users copy it, <c>deploy apply</c>) against what a user would run otherwise, <c>docker service update --image NEW
/// SERVICE</c> with Swarm's defaults, on a plain service built the same way (host network, a port per task from the
/// slot, 2 replicas) that nginx reaches at each node address and port a task may take. Both sides roll the same images
/// (hello, tagged once per version) through the same nginx.conf; each counts failed requests (after the load loop's one
/// retry) and times each deploy as the wall time of the command that makes it.
/// </summary>
internal static class SwarmBench
{
    private const int Deploys = 3;
    private const string Upstream = "/etc/nginx/deploy/web.conf";

    public static async Task<Dictionary<string, object>> RunAsync()
    {
        var socket = Required("DEPLOY_TEST_SWARM_SOCKET");
        var registry = Required("DEPLOY_TEST_SWARM_REGISTRY");
        string[] nodes = [Required("DEPLOY_TEST_SWARM_MANAGER_ADDRESS"), Required("DEPLOY_TEST_SWARM_WORKER_ADDRESS")];
        var figures = new Dictionary<string, object>();

        // One tag per version, all of the same hello image: the versions differ by tag, as a user's releases do.
        var image = await HelloImage.ByDigestAsync();
        for (var version = 1; version <= Deploys + 1; version++)
        {
            await TagAsync(image, $"bench-swarm-{version}");
        }

        using var dir = new TempDir();
        var suffix = Guid.NewGuid().ToString("N")[..6];
        var app = "benchsw" + suffix;
        var plain = "benchsw-plain-" + suffix;
        var proxy = "benchsw-proxy-" + suffix;
        var port = ProxyFixtures.FreePortRange(1);
        var block = FreeBlocks(300);
        var spec = WriteSpec(dir, app, socket, registry, proxy, port, block);
        var url = new Uri($"http://127.0.0.1:{port}/");
        var cli = new CliRunner(dir.Path);
        try
        {
            await cli.RunOkAsync("proxy", "boot", spec);
            await ProxyFixtures.WaitForPortAsync(port);
            var first = Stopwatch.StartNew();
            await cli.RunOkAsync("apply", spec, "--var", "version=1");
            figures["swarm_first_apply_ms"] = Math.Round(first.Elapsed.TotalMilliseconds);

            var (failed, requests, times) = await UnderLoadAsync(url, version => cli.RunOkAsync("apply", spec, "--var", $"version={version}"));
            figures["failed_requests_swarm_bluegreen"] = failed;
            figures["requests_swarm_bluegreen"] = requests;
            figures["swarm_apply_ms"] = Math.Round(Median(times));
            figures["swarm_apply_runs_ms"] = times.Select(t => Math.Round(t)).ToList();
            await cli.RunOkAsync("destroy", spec, "--yes");

            // The same nginx, its upstream now every node address and port a task of the plain service may take.
            var hundreds = (block + 200) / 100;
            await BenchProcesses.DockerAsync(socket, "service", "create", "--quiet", "--name", plain, "--replicas", "2", "--network", "host",
                "-e", $"PORT={hundreds}{{{{printf \"%02s\" .Task.Slot}}}}", "-e", "HOST=0.0.0.0", "-e", "APP_VERSION=1",
                $"{registry}/hello:bench-swarm-1");
            var servers = nodes.SelectMany(n => new[] { 1, 2 }.Select(slot => $"    server {n}:{hundreds * 100 + slot};"));
            var conf = $"upstream web {{\n{string.Join('\n', servers)}\n}}\n";
            await BenchProcesses.DockerAsync(socket, "exec", proxy, "sh", "-c", $"printf '%s' '{conf}' > {Upstream} && nginx -t -q && nginx -s reload");
            await WaitForAnswerAsync(url);

            (failed, requests, times) = await UnderLoadAsync(url,
                version => BenchProcesses.DockerAsync(socket, "service", "update", "--quiet", "--image", $"{registry}/hello:bench-swarm-{version}", plain));
            figures["failed_requests_swarm_service_update"] = failed;
            figures["requests_swarm_service_update"] = requests;
            figures["swarm_service_update_ms"] = Math.Round(Median(times));
            figures["swarm_service_update_runs_ms"] = times.Select(t => Math.Round(t)).ToList();
        }
        finally
        {
            var destroyed = await cli.RunAsync("destroy", spec, "--yes");
            if (destroyed.ExitCode != 0)
            {
                Console.Error.WriteLine($"swarm: destroy failed: {destroyed}");
            }

            await BenchProcesses.DockerAsync(socket, "service", "rm", plain).ContinueWith(_ => { });
            await RemoteHostChecks.RemoveContainerAsync(new DockerHostAddress("unix", socket["unix://".Length..]), proxy);
        }

        return figures;
    }

    // 8 keep-alive clients through nginx while `deploy` deploys versions 2..Deploys+1 one after the other; each deploy's
    // wall time, then the failed requests once the load stopped half a second after the last.
    private static async Task<(int Failed, long Requests, List<double> Times)> UnderLoadAsync(Uri url, Func<int, Task> deploy)
    {
        var times = new List<double>();
        await using var load = new LoadLoop(url, clients: 8, maxDuration: TimeSpan.FromMinutes(8));
        for (var version = 2; version <= Deploys + 1; version++)
        {
            var clock = Stopwatch.StartNew();
            await deploy(version);
            times.Add(clock.Elapsed.TotalMilliseconds);
        }

        await Task.Delay(500);
        await load.StopAsync();
        return (load.Failures.Count, load.Requests, times);
    }

    // examples/swarm/app.json and nginx.conf, on the tests' Swarm: its manager, its registry, free ports, a proxy of our own.
    private static string WriteSpec(TempDir dir, string app, string socket, string registry, string proxy, int port, int block)
    {
        var example = Path.Combine(Repo.Root, "examples", "swarm");
        dir.Write("nginx.conf", File.ReadAllText(Path.Combine(example, "nginx.conf")).Replace("127.0.0.1:8080", $"127.0.0.1:{port}"));
        var spec = JsonNode.Parse(File.ReadAllText(Path.Combine(example, "app.json")))!.AsObject();
        spec["ID"] = app;
        var service = spec["Group"]!["Orchestrator"]!["Properties"]!.AsObject();
        service["Host"] = socket;
        service["Image"] = $"{registry}/hello:bench-swarm-{{{{var.version}}}}";
        service["Ports"] = $"{block}-{block + 199}";
        var properties = spec["Proxy"]!["Properties"]!.AsObject();
        properties["Host"] = socket;
        properties["Container"] = proxy;
        properties["Url"] = $"http://127.0.0.1:{port}/";
        return dir.Write("app.json", spec.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    // Tags the published image in its registry (the Swarm's registry serves the same storage): its manifest put again under TAG.
    private static async Task TagAsync(string image, string tag)
    {
        var at = image.IndexOf('/');
        var (repository, digest) = (image[(at + 1)..image.IndexOf('@')], image[(image.IndexOf('@') + 1)..]);
        var manifests = $"http://{image[..at]}/v2/{repository}/manifests/";
        using var http = new HttpClient();
        var get = new HttpRequestMessage(HttpMethod.Get, manifests + digest); // absolute: "sha256:..." alone reads as a URI scheme
        foreach (var type in new[] { "application/vnd.oci.image.manifest.v1+json", "application/vnd.docker.distribution.manifest.v2+json", "application/vnd.oci.image.index.v1+json" })
        {
            get.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(type));
        }

        using var manifest = await http.SendAsync(get);
        manifest.EnsureSuccessStatusCode();
        var body = new ByteArrayContent(await manifest.Content.ReadAsByteArrayAsync());
        body.Headers.ContentType = manifest.Content.Headers.ContentType;
        using var put = await http.PutAsync(manifests + tag, body);
        put.EnsureSuccessStatusCode();
    }

    private static async Task WaitForAnswerAsync(Uri url)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            try
            {
                if ((await http.GetAsync(new Uri(url, "version"))).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // Not yet.
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"{url} did not answer within 60s");
    }

    // Blocks of free ports on this machine (the manager): tasks with host network bind all interfaces.
    private static int FreeBlocks(int count)
    {
        for (var from = 40000; from < 60000; from += count)
        {
            if (Enumerable.Range(from, count).All(port => LocalPorts.CanBind(IPAddress.Any, port)))
            {
                return from;
            }
        }

        throw new InvalidOperationException($"no {count} free ports in aligned blocks between 40000 and 59999");
    }

    private static string Required(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value
        : throw new InvalidOperationException($"{name} is not set: start the swarm with 'eval \"$(tests/infra/swarm.sh start --docker-dir \"$DEPLOY_TEST_DOCKER_DIR\")\"' (or run under ./test.sh's variables)");

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
}
