using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.Json;
using Deploy.Engine.Diagnostics;
using Deploy.Engine.Events;

namespace Deploy.Engine.Plugins.Instance.Process;

/// <summary>
/// Instances as local OS processes (Linux; macOS without orphan recovery). Each gets a free port from
/// <c>Ports</c>, runs in its own session so it outlives the CLI, and logs to <c>&lt;state&gt;/processes/&lt;id&gt;.log</c>.
/// A record is written before the process starts, so a CLI killed at any moment never leaves an untracked process.
/// </summary>
public sealed class ProcessInstancePlugin(string stateDirectory, IDeployEvents events) : IInstancePlugin, IInstanceEndpoints, IInstanceLogs
{
    /// <summary>The variable naming the instance in every process's environment; it finds a process whose pid was never recorded.</summary>
    public const string InstanceIdVariable = "DEPLOY_INSTANCE_ID";

    // A record without pid younger than this may belong to a provision still in flight, so it is not collected.
    private static readonly TimeSpan PendingGrace = TimeSpan.FromMinutes(1);

    private readonly ProcessRecords _records = new(Path.Combine(stateDirectory, "processes"), events);

    // Choosing a port and recording it must not interleave, or two provisions could take the same port.
    private readonly SemaphoreSlim _provisioning = new(1, 1);

    public string Name => "instance-process";

    public string Description => "Instances as local processes with a free port each (Linux)";

    /// <summary>The folder holding the records and logs: <c>&lt;state&gt;/processes</c>.</summary>
    public string Directory => _records.Folder;

    public IEnumerable<Diagnostic> Validate(JsonElement? properties, string path)
    {
        var bag = new DiagnosticBag();
        ProcessProperties.Read(properties, path, bag);
        return bag.Items;
    }

    public async Task<string> ProvisionAsync(InstanceSpec spec, CancellationToken cancellationToken)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            throw new DeployException(Errors.PluginFailed, "instance-process runs on Linux and macOS only; use another instance plugin here");
        }

        var bag = new DiagnosticBag();
        var properties = ProcessProperties.Read(spec.Properties, "$.Properties.Instance.Properties", bag);
        bag.ThrowIfErrors();

        ProcessRecord record;
        await _provisioning.WaitAsync(cancellationToken);
        try
        {
            System.IO.Directory.CreateDirectory(_records.Folder);
            var port = FreePort(properties!, Observe(collect: true));
            var id = NewId();
            record = new ProcessRecord
            {
                ID = id,
                LogicalID = spec.LogicalId,
                // Tags are written to the record: a secret in a label is kept as *** there (and so in what describe returns).
                Tags = spec.Tags.ToDictionary(t => t.Key, t => spec.Secrets.Where(s => s.Length > 0).Aggregate(t.Value, (v, s) => v.Replace(s, "***", StringComparison.Ordinal))),
                Port = port,
                Endpoint = $"127.0.0.1:{port}",
                LogFile = _records.LogOf(id),
                StopTimeoutMs = (long)properties!.StopTimeout.TotalMilliseconds,
            };

            // Recorded before it exists: from here on a crash leaves a record that describe can match to the process.
            _records.Write(record);
        }
        finally
        {
            _provisioning.Release();
        }

        int pid;
        try
        {
            pid = Start(properties, record, spec.BaseDirectory);
        }
        catch
        {
            _records.Delete(record.ID);
            throw;
        }

        var started = ProcessTable.StartTime(pid);
        if (started is null)
        {
            ProcessTable.Reap(pid);
            _records.Delete(record.ID);
            throw new DeployException(Errors.PluginFailed,
                $"\"{properties.Command[0]}\" exited as soon as it started{Quoted(LogTail(record.ID, 10))}; read {record.LogFile} for more");
        }

        _records.Write(record with { Pid = pid, StartTime = started });
        events.Info($"Started process {pid} for {record.ID} on {record.Endpoint} (log: {record.LogFile})");
        return record.ID;
    }

    /// <summary>
    /// The last <paramref name="lines"/> lines of the instance's log, leaving out .NET stack frames (<c>   at …</c>), so
    /// an app that died of an exception is quoted with the exception's message rather than the bottom of its trace.
    /// </summary>
    public Task<string?> LogTailAsync(string instanceId, int lines, CancellationToken cancellationToken) => Task.FromResult(LogTail(instanceId, lines));

    /// <summary>The same as <see cref="LogTailAsync"/>, read at once (the log is a local file).</summary>
    public string? LogTail(string instanceId, int lines)
    {
        var file = _records.LogOf(ProcessRecords.Checked(instanceId));
        try
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            stream.Seek(Math.Max(0, stream.Length - 16 * 1024), SeekOrigin.Begin);
            return LogLines.Tail(new StreamReader(stream).ReadToEnd(), lines);
        }
        catch (IOException)
        {
            return null;
        }
    }

    public async Task DestroyAsync(string instanceId, CancellationToken cancellationToken)
    {
        var record = _records.Read(ProcessRecords.Checked(instanceId));
        if (record is null)
        {
            return;
        }

        if (Live(record) is { } process)
        {
            events.Info($"Stopping process {process.Pid} of {instanceId}");
            await ProcessStopper.StopAsync(process.Pid, process.StartTime, TimeSpan.FromMilliseconds(record.StopTimeoutMs), cancellationToken);
        }

        // The log stays: it is what tells why an instance misbehaved.
        _records.Delete(instanceId);
    }

    public Task<IReadOnlyList<InstanceDescription>> DescribeAsync(IReadOnlyDictionary<string, string> tags, CancellationToken cancellationToken)
    {
        var found = Observe(collect: false)
            .Where(r => TagFilter.Matches(r.Tags, tags))
            .Select(r => new InstanceDescription(r.ID, r.LogicalID, r.Tags, Endpoint.TryParse(r.Endpoint)))
            .OrderBy(d => d.Id, InstanceIdComparer.Instance)
            .ToList();
        return Task.FromResult<IReadOnlyList<InstanceDescription>>(found);
    }

    // Records of live processes, plus records still waiting for their process (they hold a port).
    // With collect, records of processes that are gone are deleted on the way.
    private List<ProcessRecord> Observe(bool collect)
    {
        var live = new List<ProcessRecord>();
        foreach (var record in _records.ReadAll())
        {
            if (Live(record) is not null)
            {
                live.Add(record);
            }
            else if (record.Pid is null && DateTime.UtcNow - _records.WrittenAt(record.ID) < PendingGrace && collect)
            {
                live.Add(record); // not described (no process yet), but its port is taken
            }
            else if (collect)
            {
                // A long-running CLI (serve) is the parent of what it started: collect the exit so no zombie piles up.
                if (record.Pid is { } pid)
                {
                    ProcessTable.Reap(pid);
                }

                events.Info($"Forgetting {record.ID}: its process is gone");
                _records.Delete(record.ID);
            }
        }

        return live;
    }

    // The record's process when it runs: by pid and start time, or, for a record written just before a crash, by its environment.
    private static (int Pid, long StartTime)? Live(ProcessRecord record)
    {
        if (record.Pid is { } pid)
        {
            return record.StartTime is { } start && ProcessTable.IsAlive(pid, start) ? (pid, start) : null;
        }

        return ProcessTable.FindByInstanceId(record.ID) is { } found && ProcessTable.StartTime(found) is { } started ? (found, started) : null;
    }

    private int Start(ProcessProperties properties, ProcessRecord record, string? baseDirectory)
    {
        var launch = ProcessLaunch.For(properties, record.Port, baseDirectory ?? System.Environment.CurrentDirectory);
        var env = new Dictionary<string, string>(launch.Env, StringComparer.Ordinal) { [InstanceIdVariable] = record.ID };
        return ProcessSpawner.Start(launch.Argv, env, launch.WorkingDirectory, record.LogFile);
    }

    private static string Quoted(string? log) => log is null ? "" : $"; its log ends:\n{log}\n";

    private string NewId()
    {
        while (true)
        {
            var id = "proc-" + (RandomNumberGenerator.GetInt32(1, int.MaxValue) * (long)int.MaxValue + RandomNumberGenerator.GetInt32(int.MaxValue));
            if (!_records.Exists(id))
            {
                return id;
            }
        }
    }

    // A port no instance of ours holds and nothing else is listening on right now.
    private static int FreePort(ProcessProperties properties, List<ProcessRecord> live)
    {
        var taken = live.Select(r => r.Port).ToHashSet();
        for (var port = properties.PortFrom; port <= properties.PortTo; port++)
        {
            if (!taken.Contains(port) && LocalPorts.CanBind(System.Net.IPAddress.Loopback, port))
            {
                return port;
            }
        }

        throw new DeployException(Errors.PluginFailed,
            $"no free port between {properties.PortFrom} and {properties.PortTo} ({taken.Count} held by instances); widen Ports or destroy instances");
    }
}
