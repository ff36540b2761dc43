using System.Net;
using Deploy.Engine.Diagnostics;
using Deploy.Engine.Events;
using Deploy.Engine.Plugins.Instance;
using Deploy.Engine.Plugins.Instance.Process;
using Deploy.Engine.State;
using Deploy.Tests.Fixtures;
using Deploy.Tests.Support;

namespace Deploy.Tests.Plugins.Instance;

/// <summary>The <c>instance-process</c> plugin against real processes: the hello app and plain <c>sleep</c>.</summary>
[Collection(HelloApp.Collection)]
public sealed class ProcessInstancePluginTests(HelloApp hello) : IAsyncLifetime
{
    private readonly ProcessHarness _h = new();

    // 90 ports free when the test starts, so parallel test runs on one machine do not share them.
    private readonly int _p = ProxyFixtures.FreePortRange(90);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _h.DisposeAsync();

    private Dictionary<string, string> HelloEnv(string version) => new() { ["APP_VERSION"] = version, ["APP_COLOUR"] = "blue" };

    [Fact]
    public async Task Provision_HelloApp_AnswersOnItsEndpointWithEnvApplied()
    {
        var id = await _h.ProvisionAsync(ProcessHarness.Props(
            command: ["dotnet", hello.Dll], from: _p, to: _p + 9,
            env: new Dictionary<string, string> { ["APP_VERSION"] = "v-{{port}}", ["APP_COLOUR"] = "green" }),
            tags: new Dictionary<string, string> { ["group"] = "app" });

        var record = _h.Record(id)!;
        record.Endpoint.ShouldBe($"127.0.0.1:{record.Port}");
        record.Port.ShouldBeInRange(_p, _p + 9);
        (await ProcessHarness.GetAsync(record.Endpoint, "/version")).ShouldBe((HttpStatusCode.OK, $"v-{record.Port}"));
        (await ProcessHarness.GetAsync(record.Endpoint, "/")).Body.ShouldBe($"hello from green v-{record.Port}");
        File.Exists(record.LogFile).ShouldBeTrue();
        id.ShouldMatch("^proc-[0-9]+$");
    }

    [Fact]
    public async Task Provision_CommandWithPortPlaceholder_RunsArgvWithoutShellAndKeepsSecretsOffDisk()
    {
        var id = await _h.ProvisionAsync(ProcessHarness.Props(
            command: ["sleep", "{{port}}"], from: _p + 10, to: _p + 19,
            env: new Dictionary<string, string> { ["API_TOKEN"] = "s3cret-value" }));

        var record = _h.Record(id)!;
        var argv = File.ReadAllText($"/proc/{record.Pid}/cmdline").TrimEnd('\0').Split('\0');
        argv.ShouldBe(["sleep", record.Port.ToString()]);
        var environ = File.ReadAllText($"/proc/{record.Pid}/environ").Split('\0');
        environ.ShouldContain("API_TOKEN=s3cret-value");
        environ.ShouldContain($"PORT={record.Port}");
        environ.ShouldContain($"DEPLOY_INSTANCE_ID={id}");
        var onDisk = _h.RecordText(id);
        onDisk.ShouldNotContain("s3cret-value");
        onDisk.ShouldNotContain("sleep");
    }

    [Fact]
    public async Task Provision_RelativeProgramAndNoEnv_RunsFromTheSpecsFolderWithAspNetCorePortAndContentRoot()
    {
        using var spec = new TempDir();
        var release = Directory.CreateDirectory(Path.Combine(spec.Path, "release")).FullName;
        var script = spec.Write("release/serve.sh", "#!/bin/sh\necho \"$PWD|$ASPNETCORE_URLS|$ASPNETCORE_CONTENTROOT\" > \"$0.out\"\nexec sleep 60\n");
        File.SetUnixFileMode(script, File.GetUnixFileMode(script) | UnixFileMode.UserExecute);

        var id = await _h.Plugin.ProvisionAsync(new InstanceSpec(ProcessHarness.Props(command: ["release/serve.sh"], from: _p, to: _p + 9),
            new Dictionary<string, string>()) { BaseDirectory = spec.Path }, CancellationToken.None);
        _h.Track(id);

        var port = _h.Record(id)!.Port;
        var written = await WaitForFileAsync(script + ".out");
        written.ShouldBe($"{spec.Path}|http://127.0.0.1:{port}|{release}");
    }

    [Fact]
    public async Task Provision_EnvSetsAspNetCoreUrlsAndWorkingDirectory_KeepsTheInstancesOwnValues()
    {
        using var spec = new TempDir();
        Directory.CreateDirectory(Path.Combine(spec.Path, "site"));
        var id = await _h.Plugin.ProvisionAsync(new InstanceSpec(ProcessHarness.Props(
            command: ["sh", "-c", "echo \"$PWD|$ASPNETCORE_URLS|$ASPNETCORE_CONTENTROOT\" > out; exec sleep 60"], from: _p, to: _p + 9,
            env: new Dictionary<string, string> { ["ASPNETCORE_URLS"] = "http://127.0.0.1:{{port}};http://[::1]:{{port}}" }, workingDirectory: "site"),
            new Dictionary<string, string>()) { BaseDirectory = spec.Path }, CancellationToken.None);
        _h.Track(id);

        var port = _h.Record(id)!.Port;
        var site = Path.Combine(spec.Path, "site");
        (await WaitForFileAsync(Path.Combine(site, "out"))).ShouldBe($"{site}|http://127.0.0.1:{port};http://[::1]:{port}|{site}");
    }

    [Fact]
    public async Task LogTail_InstanceThatDiedAtStart_ReturnsTheLastLinesOfItsLog()
    {
        var id = await _h.ProvisionAsync(ProcessHarness.Props(
            command: ["sh", "-c", "sleep 0.3; for i in 1 2 3 4 5 6 7 8 9 10 11 12; do echo line $i; done; echo 'Failed to bind to address' >&2; exit 1"],
            from: _p, to: _p + 9));
        var pid = _h.PidOf(id);
        for (var i = 0; i < 100 && ProcessHarness.Running(pid); i++)
        {
            await Task.Delay(50);
        }

        var tail = _h.Plugin.LogTail(id, lines: 3);

        tail.ShouldBe("line 11\nline 12\nFailed to bind to address");
    }

    [Fact]
    public async Task LogTail_AppDiedOfAnException_QuotesTheMessageWithoutStackFrames()
    {
        var id = await _h.ProvisionAsync(ProcessHarness.Props(
            command: ["sh", "-c", "sleep 0.3; echo 'Unhandled exception. System.InvalidOperationException: bad address'; " +
                "echo '   at Kestrel.Bind(String address)'; echo '--- End of stack trace from previous location ---'; echo '   at Program.<Main>$(String[] args)'; exit 134"],
            from: _p, to: _p + 9));
        var pid = _h.PidOf(id);
        for (var i = 0; i < 100 && ProcessHarness.Running(pid); i++)
        {
            await Task.Delay(50);
        }

        _h.Plugin.LogTail(id, lines: 3).ShouldBe("Unhandled exception. System.InvalidOperationException: bad address");
    }

    private static async Task<string> WaitForFileAsync(string file)
    {
        for (var i = 0; i < 100 && !(File.Exists(file) && File.ReadAllText(file).EndsWith('\n')); i++)
        {
            await Task.Delay(50);
        }

        return File.ReadAllText(file).TrimEnd();
    }

    [Fact]
    public async Task Provision_TwoInstances_GetDifferentPorts()
    {
        var props = ProcessHarness.Props(command: ["sleep", "600"], from: _p + 20, to: _p + 29);
        var first = await _h.ProvisionAsync(props);
        var second = await _h.ProvisionAsync(props);

        _h.Record(first)!.Port.ShouldBe(_p + 20);
        _h.Record(second)!.Port.ShouldBe(_p + 21);
    }

    [Fact]
    public async Task Provision_PortTakenByAnotherListener_SkipsIt()
    {
        using var squatter = new System.Net.Sockets.TcpListener(IPAddress.Loopback, _p + 30);
        squatter.Start();

        var id = await _h.ProvisionAsync(ProcessHarness.Props(command: ["sleep", "600"], from: _p + 30, to: _p + 31));

        _h.Record(id)!.Port.ShouldBe(_p + 31);
    }

    [Fact]
    public async Task Provision_NoPortLeft_ThrowsAndLeavesNoRecord()
    {
        var props = ProcessHarness.Props(command: ["sleep", "600"], from: _p + 32, to: _p + 32);
        await _h.ProvisionAsync(props);

        var error = await Should.ThrowAsync<DeployException>(() => _h.ProvisionAsync(props));

        error.Diagnostics.Single().Message.ShouldContain($"no free port between {_p + 32} and {_p + 32}");
        Directory.GetFiles(_h.Plugin.Directory, "*.json").Length.ShouldBe(1);
    }

    [Fact]
    public async Task Provision_ProgramNotFound_ThrowsAndLeavesNoRecord()
    {
        var error = await Should.ThrowAsync<DeployException>(() =>
            _h.ProvisionAsync(ProcessHarness.Props(command: ["no-such-program-xyz"], from: _p + 33, to: _p + 33)));

        error.Diagnostics.Single().Code.ShouldBe(Errors.PluginFailed);
        error.Diagnostics.Single().Message.ShouldContain("not found on PATH");
        Directory.GetFiles(_h.Plugin.Directory, "*.json").ShouldBeEmpty();
    }

    [Fact]
    public async Task Describe_ByTags_ReturnsOnlyMatchingLiveInstancesSorted()
    {
        var props = ProcessHarness.Props(command: ["sleep", "600"], from: _p + 40, to: _p + 49);
        var blue1 = await _h.ProvisionAsync(props, new Dictionary<string, string> { ["group"] = "app", ["colour"] = "blue" });
        var green = await _h.ProvisionAsync(props, new Dictionary<string, string> { ["group"] = "app", ["colour"] = "green" });
        var blue2 = await _h.ProvisionAsync(props, new Dictionary<string, string> { ["group"] = "app", ["colour"] = "blue" });

        var blues = await _h.DescribeAsync(new Dictionary<string, string> { ["group"] = "app", ["colour"] = "blue" });

        blues.Select(d => d.Id).ShouldBe(new[] { blue1, blue2 }.Order(Engine.Plugins.Instance.InstanceIdComparer.Instance));
        blues.Select(d => d.Endpoint!.Authority).ShouldBe(blues.Select(d => _h.Record(d.Id)!.Endpoint));
        (await _h.DescribeAsync()).Count.ShouldBe(3);
        (await _h.DescribeAsync(new Dictionary<string, string> { ["colour"] = "green" })).Single().Id.ShouldBe(green);
    }

    [Fact]
    public async Task Describe_ProcessKilledExternally_IgnoresItsRecord()
    {
        var id = await _h.ProvisionAsync(ProcessHarness.Props(command: ["sleep", "600"], from: _p + 50, to: _p + 50));
        System.Diagnostics.Process.GetProcessById(_h.PidOf(id)).Kill();

        await WaitUntil(() => !ProcessHarness.Running(_h.PidOf(id)));

        (await _h.DescribeAsync()).ShouldBeEmpty();
    }

    [Fact]
    public async Task Describe_RecordWithoutPidAfterACrash_FindsTheProcessByItsEnvironment()
    {
        var id = await _h.ProvisionAsync(ProcessHarness.Props(command: ["sleep", "600"], from: _p + 51, to: _p + 51));
        var pid = _h.PidOf(id);
        // As if the CLI died between starting the process and recording its pid.
        var crashed = _h.Record(id)! with { Pid = null, StartTime = null };
        AtomicFile.Write(Path.Combine(_h.Plugin.Directory, id + ".json"), System.Text.Json.JsonSerializer.Serialize(crashed));

        (await _h.DescribeAsync()).Single().Id.ShouldBe(id);

        await _h.Plugin.DestroyAsync(id, CancellationToken.None);
        ProcessHarness.Running(pid).ShouldBeFalse();
        (await _h.DescribeAsync()).ShouldBeEmpty();
    }

    [Fact]
    public async Task Describe_RecordWithoutPidAndNoProcess_IgnoresIt()
    {
        Directory.CreateDirectory(_h.Plugin.Directory);
        AtomicFile.Write(Path.Combine(_h.Plugin.Directory, "proc-42.json"), System.Text.Json.JsonSerializer.Serialize(new ProcessRecord
        {
            ID = "proc-42", Tags = [], Port = 18152, Endpoint = "127.0.0.1:18152", LogFile = "x.log", StopTimeoutMs = 1000,
        }));

        (await _h.DescribeAsync()).ShouldBeEmpty();
    }

    [Fact]
    public async Task Destroy_RunningHelloApp_StopsItRemovesRecordKeepsLogAndIsIdempotent()
    {
        var id = await _h.ProvisionAsync(ProcessHarness.Props(command: ["dotnet", hello.Dll], from: _p + 60, to: _p + 69, env: HelloEnv("1.0")));
        var record = _h.Record(id)!;
        (await ProcessHarness.GetAsync(record.Endpoint, "/healthz")).Status.ShouldBe(HttpStatusCode.OK);

        await _h.Plugin.DestroyAsync(id, CancellationToken.None);

        ProcessHarness.Running(record.Pid!.Value).ShouldBeFalse();
        _h.Record(id).ShouldBeNull();
        File.Exists(record.LogFile).ShouldBeTrue();
        (await ProcessHarness.RefusesAsync(record.Endpoint)).ShouldBeTrue();
        await _h.Plugin.DestroyAsync(id, CancellationToken.None);
        (await _h.DescribeAsync()).ShouldBeEmpty();
    }

    [Fact]
    public async Task Destroy_ProcessIgnoringSigterm_KillsItsWholeGroupAfterStopTimeout()
    {
        // sh is the program under test here, not a wrapper: it ignores SIGTERM and starts a child in its group.
        var id = await _h.ProvisionAsync(ProcessHarness.Props(
            command: ["sh", "-c", "trap '' TERM; sleep 600 & wait"], from: _p + 70, to: _p + 70, stopTimeout: "300ms"));
        await Task.Delay(200);
        var started = DateTime.UtcNow;

        await _h.Plugin.DestroyAsync(id, CancellationToken.None);

        (DateTime.UtcNow - started).ShouldBeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(300));
        await WaitUntil(() => ProcessTable.FindByInstanceId(id) is null);
    }

    [Fact]
    public async Task Destroy_IdOutsideThePluginsNaming_IsRefused()
    {
        var error = await Should.ThrowAsync<DeployException>(() => _h.Plugin.DestroyAsync("../../etc/passwd", CancellationToken.None));

        error.Diagnostics.Single().Code.ShouldBe(Errors.InvalidId);
    }

    [Fact]
    public async Task Provision_PluginObjectDropped_ProcessKeepsRunningInItsOwnSession()
    {
        var id = await ProvisionWithThrowawayPlugin();
        GC.Collect();
        GC.WaitForPendingFinalizers();

        var again = new ProcessInstancePlugin(_h.State.Path, NullEvents.Instance);
        var found = (await again.DescribeAsync(new Dictionary<string, string>(), CancellationToken.None)).Single();
        found.Id.ShouldBe(id);
        (await ProcessHarness.GetAsync(found.Endpoint!.Authority, "/version")).Body.ShouldBe("2.0");
        // Session and group leader: the terminal's Ctrl+C (sent to the CLI's foreground group) never reaches it.
        var pid = _h.PidOf(id);
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        (fields[2], fields[3], fields[4]).ShouldBe((pid.ToString(), pid.ToString(), "0")); // pgrp, session, no tty
    }

    private async Task<string> ProvisionWithThrowawayPlugin()
    {
        var throwaway = new ProcessInstancePlugin(_h.State.Path, NullEvents.Instance);
        var id = await throwaway.ProvisionAsync(new(ProcessHarness.Props(command: ["dotnet", hello.Dll], from: _p + 80, to: _p + 89, env: HelloEnv("2.0")),
            new Dictionary<string, string>()), CancellationToken.None);
        _h.Track(id);
        return id;
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!condition())
        {
            DateTime.UtcNow.ShouldBeLessThan(deadline, "condition not met within 10s");
            await Task.Delay(50);
        }
    }
}
