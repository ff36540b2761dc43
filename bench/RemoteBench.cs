using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Deploy.Engine.Diagnostics;
using Deploy.Engine.Docker;
using Deploy.Tests.Fixtures;
using Deploy.Tests.Support;
using Docker.DotNet.Models;

namespace Deploy.Bench;

/// <summary>
/// A deploy to a remote Docker host over SSH against the same deploy to the local engine: examples/containers as the
/// tests write it (hello by digest, 2 containers per colour, nginx in its own container), once on the tests' private
/// engine through its unix socket and once on the remote host of <c>tests/infra/remote.sh</c> (a network namespace
/// with its own dockerd, reached over <c>ssh://</c>, the key passed as the secret var <c>ssh_key</c>). Each is timed
/// as the wall time of the real CLI process: the first apply, then <c>runs</c> applies of alternating versions, the
/// local and the SSH apply taking turns so that other work on the machine weighs on both alike. No load clients.
/// Beside that, the latency of one Docker API call (<c>System.PingAsync</c>) over SSH and over the local socket, and
/// the steps of the last apply of each, so the reader sees where the time goes.
/// </summary>
internal static class RemoteBench
{
    private const int Calls = 50;
    private const int WarmUpCalls = 5;

    public static async Task<Dictionary<string, object>> RunAsync(int runs)
    {
        var figures = new Dictionary<string, object>();
        var sshTarget = await RemoteTargets.SshAsync();
        await using var containers = new TestContainers(); // removes the local proxy container on dispose
        using var localDir = new TempDir();
        using var sshDir = new TempDir();
        using var sshFolder = new TempDir();

        // The namespace shares this machine's file system: a folder here is a folder on the remote host too.
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(sshFolder.Path, (UnixFileMode)0x1FF);
        }

        var local = await ContainerShopSpec.WriteAsync(localDir, containers.NewFolder("deploy-bench-remote-local-"), containers.NewName("bench-proxy"));
        var ssh = await ContainerShopSpec.WriteAsync(sshDir, sshFolder.Path, "deploy-bench-proxy-" + Guid.NewGuid().ToString("N")[..6], sshTarget);
        var localCli = new CliRunner(localDir.Path);
        var sshCli = new CliRunner(sshDir.Path, RemoteTargets.SshSecrets);
        try
        {
            await localCli.RunOkAsync("proxy", "boot", local.Spec);
            await sshCli.RunOkAsync("proxy", "boot", ssh.Spec);
            await ProxyFixtures.WaitForPortAsync(local.Url.Port);
            await ProxyFixtures.WaitForPortAsync(ssh.Url);

            // The first SSH apply also pulls the image on the remote engine when it is not there yet (the local engine has it).
            figures["remote_first_apply_pulls_image"] = !await HasImageAsync(RemoteDockerHosts.RemoteSocketAddress, sshTarget.Image);
            figures["local_first_apply_ms"] = Math.Round((await TimedApplyAsync(localCli, local.Spec, "1")).Ms);
            figures["remote_first_apply_ms"] = Math.Round((await TimedApplyAsync(sshCli, ssh.Spec, "1")).Ms);

            var localApplies = new List<double>();
            var sshApplies = new List<double>();
            string localJson = "", sshJson = "";
            for (var run = 0; run < runs; run++)
            {
                var version = run % 2 == 0 ? "2" : "1";
                (var ms, localJson) = await TimedApplyAsync(localCli, local.Spec, version);
                localApplies.Add(ms);
                (ms, sshJson) = await TimedApplyAsync(sshCli, ssh.Spec, version);
                sshApplies.Add(ms);
            }

            figures["local_apply_ms"] = Math.Round(Median(localApplies));
            figures["remote_apply_ms"] = Math.Round(Median(sshApplies));
            figures["local_apply_runs_ms"] = localApplies.Select(ms => Math.Round(ms)).ToList();
            figures["remote_apply_runs_ms"] = sshApplies.Select(ms => Math.Round(ms)).ToList();
            foreach (var (name, ms) in Steps(sshJson))
            {
                figures[$"ssh_step_{name}_ms"] = ms;
            }

            foreach (var (name, ms) in Steps(localJson))
            {
                figures[$"local_step_{name}_ms"] = ms;
            }

            var sshAddress = SshAddress();
            (figures["ssh_connect_ms"], figures["ssh_call_ms"]) = await CallLatencyAsync(sshAddress);
            (figures["local_connect_ms"], figures["local_call_ms"]) = await CallLatencyAsync(DockerTestEngine.Address);
        }
        finally
        {
            var destroyed = await Task.WhenAll(localCli.RunAsync("destroy", local.Spec, "--yes"), sshCli.RunAsync("destroy", ssh.Spec, "--yes"));
            await RemoteHostChecks.RemoveContainerAsync(RemoteDockerHosts.RemoteSocketAddress, ssh.ProxyContainer);
            foreach (var result in destroyed.Where(r => r.ExitCode != 0))
            {
                Console.Error.WriteLine($"remote: destroy failed: {result}");
            }
        }

        return figures;
    }

    // deploy apply SPEC --var version=V --json: the CLI process's wall time and its JSON result.
    private static async Task<(double Ms, string Json)> TimedApplyAsync(CliRunner cli, string spec, string version)
    {
        var clock = Stopwatch.StartNew();
        var stdout = await cli.RunOkAsync("apply", spec, "--var", $"version={version}", "--json");
        return (clock.Elapsed.TotalMilliseconds, stdout);
    }

    // The steps[] of an apply's --json result as (name, ms): "converge green" -> "converge", "verify through proxy" ->
    // "verify_through_proxy" (the colour is dropped so the figures keep their names whichever colour the last apply took).
    private static List<(string Name, double Ms)> Steps(string json)
    {
        var steps = new List<(string, double)>();
        if (json.Length == 0)
        {
            return steps;
        }

        foreach (var step in JsonNode.Parse(json)!["steps"]!.AsArray())
        {
            var name = Regex.Replace(step!["name"]!.GetValue<string>(), " (blue|green)$", "");
            name = Regex.Replace(name.ToLowerInvariant(), "[^a-z0-9]+", "_").Trim('_');
            var duration = step["duration"]!;
            var ms = duration.GetValueKind() == JsonValueKind.String
                ? TimeSpan.Parse(duration.GetValue<string>(), CultureInfo.InvariantCulture).TotalMilliseconds
                : duration.GetValue<double>();
            steps.Add((name, Math.Round(ms, 1)));
        }

        return steps;
    }

    // The remote engine over SSH as a spec's Host and Ssh name it, the key from its file and the host key checked.
    private static DockerHostAddress SshAddress()
    {
        var properties = new JsonObject
        {
            ["Host"] = RemoteDockerHosts.SshHost,
            ["Ssh"] = new JsonObject { ["IdentityFile"] = RemoteDockerHosts.SshKey, ["KnownHosts"] = RemoteDockerHosts.SshKnownHosts },
        };
        var bag = new DiagnosticBag();
        using var document = JsonDocument.Parse(properties.ToJsonString());
        var address = DockerHostAddress.Read(document.RootElement, "$", bag);
        bag.ThrowIfErrors();
        return address ?? throw new InvalidOperationException($"{RemoteDockerHosts.SshHost}: not an engine address");
    }

    // One client per engine, as the plugins hold it: the first connect (SSH handshake and API version negotiation
    // included), then a warm-up, then the median of 50 sequential pings.
    private static async Task<(double ConnectMs, double CallMs)> CallLatencyAsync(DockerHostAddress address)
    {
        using var engines = new DockerEngines();
        var connect = Stopwatch.StartNew();
        var client = await engines.ConnectAsync(address, CancellationToken.None);
        await client.System.PingAsync();
        var connectMs = connect.Elapsed.TotalMilliseconds;
        for (var i = 0; i < WarmUpCalls; i++)
        {
            await client.System.PingAsync();
        }

        var calls = new List<double>();
        for (var i = 0; i < Calls; i++)
        {
            var clock = Stopwatch.StartNew();
            await client.System.PingAsync();
            calls.Add(clock.Elapsed.TotalMilliseconds);
        }

        return (Math.Round(connectMs), Math.Round(Median(calls), 2));
    }

    private static async Task<bool> HasImageAsync(DockerHostAddress engine, string image)
    {
        using var engines = new DockerEngines();
        var client = await engines.ConnectAsync(engine, CancellationToken.None);
        try
        {
            await client.Images.InspectImageAsync(image);
            return true;
        }
        catch (Docker.DotNet.DockerImageNotFoundException)
        {
            return false;
        }
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
}
