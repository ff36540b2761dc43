using Deploy.Tests.Fixtures;
using Deploy.Tests.Support;
using Xunit.Abstractions;

namespace Deploy.Tests.BlueGreen;

/// <summary>
/// The promise on a remote host reached over SSH: a network namespace of the test's own runs dockerd and sshd; the app's
/// containers and nginx run there, and every Docker call goes through <c>docker system dial-stdio</c> in SSH channels,
/// the key passed as a secret var and the host key checked. 8 keep-alive clients send their requests to the remote
/// host's address through the five deploys of the containers scenario.
/// </summary>
[Collection(HelloApp.Collection)] // one load scenario at a time: they share the machine's two cores
public sealed class RemoteSshZeroDowntimeTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly TempDir _dir = new();
    private readonly TempDir _folder = new();
    private ContainerShopSpec _shop = null!;
    private CliRunner _cli = null!;

    public async Task InitializeAsync()
    {
        _shop = await ContainerShopSpec.WriteAsync(_dir, FolderForContainers(), "shop-proxy-" + Guid.NewGuid().ToString("N")[..6], await RemoteTargets.SshAsync());
        _cli = new CliRunner(_dir.Path, RemoteTargets.SshSecrets);
        var boot = await _cli.RunAsync("proxy", "boot", _shop.Spec);
        boot.ExitCode.ShouldBe(0, boot.ToString());
        await ProxyFixtures.WaitForPortAsync(_shop.Url);
    }

    [Fact]
    public async Task Apply_FiveDeploysOverSshUnderLoad_IncludingBrokenOnes_ZeroFailedRequests()
    {
        var scenario = new FiveDeployScenario(_cli, _shop.Spec, _shop.Url, _shop.App);
        // Over SSH, health, verify and the flip take a few seconds longer than locally (every exec is a new channel):
        // version 5 stays healthy for 15 s so that it fails after the flip, within the verify through the proxy.
        scenario.UseLongVerifyForVersion5("15s", "15s");

        await using var load = await scenario.RunAsync();

        ScenarioAssertions.ToldTheTruthAndLostNothing(scenario, load, _shop.CounterFile, output, "nginx container over ssh://");
        var status = await _cli.RunAsync("status", _shop.Spec);
        status.ExitCode.ShouldBe(0, status.ToString());
        status.Stdout.ShouldContain("image=" + await RemoteTargets.ImageInAsync(RemoteDockerHosts.RemoteRegistry));
        var names = await RemoteHostChecks.ContainerNamesAsync(RemoteDockerHosts.RemoteSocketAddress, _shop.App);
        names.Count(n => n.StartsWith($"{_shop.App}-green-", StringComparison.Ordinal)).ShouldBe(2, string.Join(", ", names));
        RemoteHostChecks.Mentions(_dir.Path, RemoteTargets.SshKeyText.Split('\n')[1]).ShouldBeEmpty("the SSH key reached a file of the state folder");
        foreach (var apply in scenario.Applies)
        {
            apply.ToString().ShouldNotContain(RemoteTargets.SshKeyText.Split('\n')[1]);
        }
    }

    // The namespace shares this machine's file system: a temp folder here is a folder on the remote host too.
    private string FolderForContainers()
    {
        File.SetUnixFileMode(_folder.Path, (UnixFileMode)0x1FF);
        return _folder.Path;
    }

    public async Task DisposeAsync()
    {
        await _cli.RunAsync("destroy", _shop.Spec, "--yes");
        await RemoteHostChecks.RemoveContainerAsync(RemoteDockerHosts.RemoteSocketAddress, _shop.ProxyContainer);
        _dir.Dispose();
        _folder.Dispose();
    }
}
