using Deploy.Cli.Options;
using Deploy.Engine.Diagnostics;

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
            catch (Exception e)
            {
                // Each group and app is already guarded; this catches what fails around them (listing the state
                // folder, say). The controller logs it and tries again next pass rather than dying.
                var warning = new Diagnostic(Errors.OperationFailed with { Severity = Severity.Warning },
                    $"a reconcile pass failed ({e.GetType().Name}: {e.Message}); trying again next pass");
                cli.Error.WriteLine(warning.ToString());
                await Task.Delay(interval, cli.Cancellation).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }

        cli.Out.WriteLine("stopped");
        return 0;
    }
}
