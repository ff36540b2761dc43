namespace Deploy.Tests.Support;

/// <summary>
/// Finds the processes the process plugin started for one state folder by reading /proc: the ground truth that no
/// instance was orphaned, independent of the plugin's own records.
/// </summary>
public static class ProcessScan
{
    /// <summary>Instance IDs of live processes whose records live under <paramref name="root"/>.</summary>
    public static IReadOnlyList<string> InstanceIds(string root) => Scan(root).Select(p => p.Id).ToList();

    /// <summary>Kills one instance's process with SIGKILL (a crash, as seen by the controller).</summary>
    public static void Kill(string root, string instanceId)
    {
        foreach (var (pid, id) in Scan(root).Where(p => p.Id == instanceId))
        {
            Native.Kill(pid, 9);
        }
    }

    /// <summary>Kills every instance process of <paramref name="root"/>; test clean-up.</summary>
    public static void KillAll(string root)
    {
        foreach (var (pid, _) in Scan(root))
        {
            Native.Kill(pid, 9);
        }
    }

    /// <summary>The variable tests put in the CLI's environment; instance processes inherit it, records or not.</summary>
    public const string Marker = "DEPLOY_TEST_ROOT";

    private static IEnumerable<(int Pid, string Id)> Scan(string root)
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }

            string[] vars;
            try
            {
                vars = File.ReadAllText(Path.Combine(dir, "environ")).Split('\0');
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue;
            }

            var id = vars.FirstOrDefault(v => v.StartsWith("DEPLOY_INSTANCE_ID=", StringComparison.Ordinal))?.Split('=', 2)[1];
            if (id is not null && vars.Contains($"{Marker}={root}"))
            {
                yield return (pid, id);
            }
        }
    }
}
