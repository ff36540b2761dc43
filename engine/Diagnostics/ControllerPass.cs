using Deploy.Engine.Events;

namespace Deploy.Engine.Diagnostics;

/// <summary>
/// One item of a controller pass (a group, an app's proxy): whatever fails is reported as DEPLOY3001 warnings and the
/// pass goes on with the next item; only cancelling the controller's own token stops it.
/// </summary>
public static class ControllerPass
{
    private static readonly ErrorCode Warning = Errors.OperationFailed with { Severity = Severity.Warning };

    /// <summary>Runs <paramref name="work"/>; on failure reports it and returns null.</summary>
    public static async Task<T?> TryAsync<T>(IDeployEvents events, string doing, Func<Task<T?>> work, CancellationToken cancellationToken)
        where T : class
    {
        try
        {
            return await work();
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (DeployException e)
        {
            foreach (var d in e.Diagnostics)
            {
                events.Warn(d with { Code = Warning });
            }
        }
        catch (Exception e)
        {
            events.Warn(new Diagnostic(Warning, $"{doing} failed unexpectedly ({e.Message.Split('\n')[0]}); it is tried again next pass"));
        }

        return null;
    }
}
