using Deploy.Cli.Options;

namespace Deploy.Cli.Commands;

/// <summary><c>deploy serve</c>: reconcile every watched group each interval until SIGINT/SIGTERM.</summary>
internal static class ServeCommand
{
    public static async Task<int> RunAsync(CliContext cli, ServeOptions o)
    {
        var interval = GroupCommands.ParseDuration(o.PollInterval, "--poll-interval");
        var apps = cli.Apps(o);
        var groups = apps.Groups;
        cli.Out.WriteLine($"serving {groups.State.Directory}: reconciling every {o.PollInterval}");
        while (!cli.Cancellation.IsCancellationRequested)
        {
            try
            {
                await groups.ReconcileAllAsync(cli.Cancellation);
                await apps.SyncProxiesAsync(cli.Cancellation);
                await Task.Delay(interval, cli.Cancellation);
            }
            catch (OperationCanceledException) when (cli.Cancellation.IsCancellationRequested)
            {
                break;
            }
        }

        cli.Out.WriteLine("stopped");
        return 0;
    }
}
