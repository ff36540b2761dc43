using System.Diagnostics;
using Deploy.Engine.Docker;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace Deploy.Tests.Fixtures;

/// <summary>
/// A dockerd of one test's own, in a temp folder, started with the flags of tests/infra/docker.sh (see
/// /work/shared/ENGINES.md): for tests that stop or restart the engine, which must never happen to the shared test
/// engine (<see cref="DockerTestEngine"/>). It starts with no images; <see cref="CopyImageAsync"/> brings one over from
/// the test engine. A watcher process stops it should the test process die first.
/// </summary>
public sealed class PrivateDockerEngine : IAsyncDisposable
{
    private DockerEngines _engines = new();
    private Process? _dockerd;

    private PrivateDockerEngine(string folder)
    {
        Folder = folder;
    }

    /// <summary>The engine's folder: data root, exec root, socket, pid file and log.</summary>
    public string Folder { get; }

    /// <summary>The engine's address, unix://…/docker.sock.</summary>
    public string Host => $"unix://{Socket}";

    private string Socket => Path.Combine(Folder, "docker.sock");

    private string Log => Path.Combine(Folder, "dockerd.log");

    /// <summary>Starts dockerd in a new temp folder and waits until it answers.</summary>
    public static async Task<PrivateDockerEngine> StartAsync()
    {
        var engine = new PrivateDockerEngine(Directory.CreateTempSubdirectory("deploy-dockerd-").FullName);
        engine.Watch();
        await engine.StartAgainAsync();
        return engine;
    }

    /// <summary>A client of this engine (a new one after each restart: connections do not survive it).</summary>
    public async Task<DockerClient> ClientAsync() =>
        await _engines.ConnectAsync(new DockerHostAddress("unix", Socket), CancellationToken.None);

    /// <summary>Copies <paramref name="image"/> from the test engine (docker save | docker load, through the API).</summary>
    public async Task CopyImageAsync(string image)
    {
        using var shared = new DockerEngines();
        var from = await shared.ConnectAsync(DockerTestEngine.Address, CancellationToken.None);
        await using var tar = await from.Images.SaveImageAsync(image);
        await (await ClientAsync()).Images.LoadImageAsync(new ImageLoadParameters { Quiet = true }, tar, new Progress<JSONMessage>());
    }

    /// <summary>Pulls <paramref name="image"/> (<c>repo:tag</c> or <c>repo@sha256:…</c>) from its registry, e.g. the test registry.</summary>
    public async Task PullAsync(string image)
    {
        var at = image.IndexOf('@', StringComparison.Ordinal);
        var colon = image.LastIndexOf(':');
        var (repository, tag) = at > 0 ? (image[..at], image[(at + 1)..]) : colon > image.LastIndexOf('/') ? (image[..colon], image[(colon + 1)..]) : (image, "latest");
        string? error = null;
        await (await ClientAsync()).Images.CreateImageAsync(new ImagesCreateParameters { FromImage = repository, Tag = tag }, null,
            new Progress<JSONMessage>(m => error ??= m.Error?.Message));
        (await (await ClientAsync()).Images.InspectImageAsync(image)).ShouldNotBeNull($"pulling {image}: {error}");
    }

    /// <summary>SIGTERM to dockerd, as a service manager stops it, and waits for it to exit (it stops its containers first).</summary>
    public async Task StopAsync()
    {
        if (_dockerd is null)
        {
            return;
        }

        _engines.Dispose();
        _engines = new DockerEngines();
        Support.Native.Kill(_dockerd.Id, 15);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await _dockerd.WaitForExitAsync(timeout.Token);
        _dockerd.Dispose();
        _dockerd = null;
    }

    /// <summary>Starts dockerd on this folder's data root (again, after <see cref="StopAsync"/>) and waits until it answers.</summary>
    public async Task StartAgainAsync()
    {
        var info = new ProcessStartInfo("bash") { UseShellExecute = false, RedirectStandardInput = false };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add($"exec dockerd --data-root '{Folder}/root' --exec-root '{Folder}/exec' -H 'unix://{Socket}' --pidfile '{Folder}/docker.pid' " +
            $"--storage-driver overlay2 --iptables=false --ip-masq=false --bridge=none </dev/null >>'{Log}' 2>&1");
        _dockerd = Process.Start(info)!;
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var probe = new DockerClientBuilder().WithEndpoint(new Uri(Host)).WithTimeout(TimeSpan.FromSeconds(2)).Build();
                await probe.System.PingAsync();
                return;
            }
            catch (Exception) when (clock.Elapsed < TimeSpan.FromSeconds(30) && !_dockerd.HasExited)
            {
                await Task.Delay(100);
            }
            catch (Exception e)
            {
                throw new InvalidOperationException($"dockerd in {Folder} did not answer (exited: {_dockerd.HasExited}): {e.Message}\n{ReadLog()}");
            }
        }
    }

    /// <summary>The end of dockerd's log, for failure messages.</summary>
    public string ReadLog() => File.Exists(Log) ? string.Join('\n', File.ReadLines(Log).TakeLast(30)) : "";

    // Should the test process die with the engine still running: a detached shell that waits for it to go, then stops
    // dockerd and cleans the folder as DisposeAsync would (containers go down with the engine).
    private void Watch()
    {
        var info = new ProcessStartInfo("setsid") { UseShellExecute = false };
        foreach (var arg in new[]
                 {
                     "bash", "-c", """
                     while kill -0 "$1" 2>/dev/null && [ -d "$2" ]; do sleep 1; done
                     [ -d "$2" ] || exit 0
                     pid=$(cat "$2/docker.pid" 2>/dev/null) && kill -TERM "$pid" 2>/dev/null
                     for i in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
                     awk -v d="$2" 'index($2, d "/") == 1 { print $2 }' /proc/mounts | sort -r | xargs -r -n1 umount -l
                     rm -rf --one-file-system "$2"
                     """, "_", Environment.ProcessId.ToString(), Folder,
                 })
        {
            info.ArgumentList.Add(arg);
        }

        Process.Start(info)!.Dispose();
    }

    /// <summary>Removes the containers, stops dockerd, unmounts what it left mounted and deletes the folder.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_dockerd is { HasExited: false })
        {
            try
            {
                var client = await ClientAsync();
                foreach (var c in await client.Containers.ListContainersAsync(new ContainersListParameters { All = true }))
                {
                    await client.Containers.RemoveContainerAsync(c.ID, new ContainerRemoveParameters { Force = true, RemoveVolumes = true });
                }
            }
            finally
            {
                await StopAsync();
            }
        }

        _engines.Dispose();
        // Overlay mounts, shm and the like that dockerd leaves behind: deepest first, lazily, as docker.sh stop does.
        var mounts = File.ReadLines("/proc/mounts").Select(l => l.Split(' ')[1]).Where(m => m.StartsWith(Folder + "/", StringComparison.Ordinal))
            .OrderByDescending(m => m.Length);
        foreach (var mount in mounts)
        {
            using var umount = Process.Start("umount", ["-l", mount]);
            await umount.WaitForExitAsync();
        }

        using var remove = Process.Start("rm", ["-rf", "--one-file-system", Folder]);
        await remove.WaitForExitAsync();
    }
}
