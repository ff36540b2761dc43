using System.Text.Json.Nodes;
using Deploy.Tests.Fixtures;
using Deploy.Tests.Support;

namespace Deploy.Tests.BlueGreen;

/// <summary>
/// Who may reach a remote engine, and with what: mutual TLS with the right and a wrong client certificate, an SSH host
/// whose key is not the one listed, and a registry that wants a login. Each failure is exit 1 with one sentence and
/// leaves what was live serving; credentials never show in an output, a label, the state or the state folder.
/// </summary>
public sealed class RemoteHostAccessTests : IAsyncLifetime
{
    private readonly TempDir _dir = new();
    private readonly TempDir _other = new();
    private readonly TempDir _folder = new();
    private readonly List<(Deploy.Engine.Docker.DockerHostAddress Engine, CliRunner Cli, ContainerShopSpec Shop)> _deployed = [];

    public Task InitializeAsync()
    {
        File.SetUnixFileMode(_folder.Path, (UnixFileMode)0x1FF);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Apply_OverTls_RightCertificateDeploys_WrongOneExits1AndChangesNothing()
    {
        var shop = await ContainerShopSpec.WriteAsync(_dir, _folder.Path, "tls-proxy-" + Guid.NewGuid().ToString("N")[..6], await RemoteTargets.TlsAsync());
        var cli = new CliRunner(_dir.Path);
        _deployed.Add((RemoteDockerHosts.TlsSocketAddress, cli, shop));
        (await cli.RunAsync("proxy", "boot", shop.Spec)).ExitCode.ShouldBe(0);
        await ProxyFixtures.WaitForPortAsync(shop.Url);

        var first = await cli.RunAsync("apply", shop.Spec, "--var", "version=1");
        first.ExitCode.ShouldBe(0, first.ToString());
        (await Http.GetStringAsync(shop.Url)).ShouldContain("blue 1");

        var wrong = await cli.RunAsync("apply", shop.Spec, "--var", "version=2", "--var", $"docker_certs={RemoteDockerHosts.TlsWrongCerts}");

        wrong.ExitCode.ShouldBe(1, wrong.ToString());
        wrong.Stderr.ShouldContain($"cannot reach the Docker engine at {RemoteDockerHosts.TlsHost}");
        wrong.Stderr.ShouldContain("TLS");
        wrong.Stderr.ShouldNotContain("   at "); // one sentence, no stack trace
        var names = await RemoteHostChecks.ContainerNamesAsync(RemoteDockerHosts.TlsSocketAddress, shop.App + "-");
        names.Count.ShouldBe(2, string.Join(", ", names)); // blue's two containers, nothing of version 2
        (await Http.GetStringAsync(shop.Url)).ShouldContain("blue 1");
    }

    [Fact]
    public async Task Apply_OverSshToAHostWhoseKeyIsNotListed_IsRefusedWithTheFingerprintToPin()
    {
        var shop = await ContainerShopSpec.WriteAsync(_dir, _folder.Path, "ssh-proxy-" + Guid.NewGuid().ToString("N")[..6],
            await RemoteTargets.SshAsync(knownHosts: RemoteDockerHosts.SshOtherKnownHosts));
        var cli = new CliRunner(_dir.Path, RemoteTargets.SshSecrets);

        var apply = await cli.RunAsync("apply", shop.Spec, "--var", "version=1");

        apply.ExitCode.ShouldBe(1, apply.ToString());
        apply.Stderr.ShouldContain("does not match the key");
        apply.Stderr.ShouldContain(RemoteDockerHosts.SshFingerprint);
        (await RemoteHostChecks.ContainerNamesAsync(RemoteDockerHosts.RemoteSocketAddress, shop.App)).ShouldBeEmpty();
    }

    [Fact]
    public async Task Pull_FromARegistryThatWantsALogin_FailsBeforeTheFlip_ThenDeploysWithSecretCredentials_OneOfTwoRunsExits3()
    {
        var target = await RemoteTargets.SshAsync();
        var shop = await ContainerShopSpec.WriteAsync(_dir, _folder.Path, "reg-proxy-" + Guid.NewGuid().ToString("N")[..6], target);
        var spec = JsonNode.Parse(File.ReadAllText(shop.Spec))!.AsObject();
        spec["Vars"]!["image"] = target.Image;
        spec["Group"]!["Instance"]!["Properties"]!["Image"] = "{{var.image}}";
        File.WriteAllText(shop.Spec, spec.ToJsonString());
        var cli = new CliRunner(_dir.Path, RemoteTargets.SshSecrets);
        _deployed.Add((RemoteDockerHosts.RemoteSocketAddress, cli, shop));
        (await cli.RunAsync("proxy", "boot", shop.Spec)).ExitCode.ShouldBe(0);
        await ProxyFixtures.WaitForPortAsync(shop.Url);
        (await cli.RunAsync("apply", shop.Spec, "--var", "version=1")).ExitCode.ShouldBe(0);
        var locked = await RemoteTargets.ImageInAsync(RemoteDockerHosts.AuthRegistry);

        await using (var load = new LoadLoop(shop.Url, clients: 2))
        {
            var anonymous = await cli.RunAsync("apply", shop.Spec, "--var", "version=2", "--var", $"image={locked}");

            anonymous.ExitCode.ShouldBe(1, anonymous.ToString());
            anonymous.Stderr.ShouldContain($"asks for a login");
            anonymous.Stderr.ShouldContain("RegistryAuth");
            await load.StopAsync();
            load.Failures.ShouldBeEmpty($"{load.Failures.Count} of {load.Requests} requests failed while the pull failed");
            load.Requests.ShouldBeGreaterThan(0);
        }

        (await Http.GetStringAsync(shop.Url)).ShouldContain("blue 1");
        spec["Group"]!["Instance"]!["Properties"]!["RegistryAuth"] = new JsonObject
        {
            ["Username"] = RemoteDockerHosts.AuthRegistryUser, ["Password"] = "{{var.registry_password}}",
        };
        spec["Secrets"] = new JsonArray("ssh_key", "registry_password");
        File.WriteAllText(shop.Spec, spec.ToJsonString());
        File.Copy(shop.Spec, Path.Combine(_other.Path, Path.GetFileName(shop.Spec)));
        var secrets = new Dictionary<string, string>(RemoteTargets.SshSecrets) { ["DEPLOY_VAR_registry_password"] = RemoteDockerHosts.AuthRegistryPassword };
        var here = new CliRunner(_dir.Path, secrets);
        var there = new CliRunner(_other.Path, secrets);

        var results = await Task.WhenAll(
            here.RunAsync("apply", shop.Spec, "--var", "version=2", "--var", $"image={locked}"),
            there.RunAsync("apply", Path.Combine(_other.Path, Path.GetFileName(shop.Spec)), "--var", "version=2", "--var", $"image={locked}"));

        results.Select(r => r.ExitCode).Order().ToArray().ShouldBe([0, 3], string.Join("\n", results.Select(r => r.ToString())));
        results.Single(r => r.ExitCode == 3).Stderr.ShouldContain("DEPLOY2001");
        (await Http.GetStringAsync(shop.Url)).ShouldContain("green 2");
        var password = RemoteDockerHosts.AuthRegistryPassword;
        foreach (var result in results)
        {
            result.ToString().ShouldNotContain(password);
        }

        (await RemoteHostChecks.ContainersMentioningAsync(RemoteDockerHosts.RemoteSocketAddress, shop.App, password)).ShouldBeEmpty();
        (await RemoteHostChecks.ContainersMentioningAsync(RemoteDockerHosts.RemoteSocketAddress, "deploy-state-" + shop.App, password)).ShouldBeEmpty();
        RemoteHostChecks.Mentions(_dir.Path, password).ShouldBeEmpty();
        RemoteHostChecks.Mentions(_other.Path, password).ShouldBeEmpty();
        var status = await here.RunAsync("status", shop.Spec);
        status.Stdout.ShouldContain("image=" + locked);
    }

    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };

    public async Task DisposeAsync()
    {
        foreach (var (engine, cli, shop) in _deployed)
        {
            await cli.RunAsync("destroy", shop.Spec, "--yes");
            await RemoteHostChecks.RemoveContainerAsync(engine, shop.ProxyContainer);
        }

        _dir.Dispose();
        _other.Dispose();
        _folder.Dispose();
    }
}
