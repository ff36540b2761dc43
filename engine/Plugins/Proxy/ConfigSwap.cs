using System.Text;
using Deploy.Engine.Diagnostics;

namespace Deploy.Engine.Plugins.Proxy;

/// <summary>
/// The write, test, reload sequence shared by the file-based proxies, wherever they run (see <see cref="IProxyHost"/>),
/// with the previous file restored byte for byte (or removed when there was none) when any step fails or is cancelled.
/// </summary>
/// <param name="Plugin">The plugin name, for messages.</param>
/// <param name="Host">Where the file lives and the commands run.</param>
/// <param name="File">The absolute path of the file the proxy includes, on <paramref name="Host"/>.</param>
/// <param name="Test">Checks the whole proxy configuration without touching the running proxy; optional.</param>
/// <param name="Reload">Makes the running proxy load the configuration gracefully.</param>
/// <param name="WaitForReload">Waits until the reload is in effect; returns null when it is, else why not. Optional.</param>
internal sealed record ConfigSwap(
    string Plugin,
    IProxyHost Host,
    string File,
    IReadOnlyList<string>? Test,
    IReadOnlyList<string> Reload,
    Func<CancellationToken, Task<string?>>? WaitForReload)
{
    /// <summary>Writes <paramref name="content"/>, tests, reloads and waits; throws <see cref="DeployException"/> after restoring on failure.</summary>
    public async Task ApplyAsync(string content, CancellationToken cancellationToken)
    {
        var previous = await Host.ReadAsync(File, cancellationToken);
        await Host.WriteAsync(File, Encoding.UTF8.GetBytes(content), cancellationToken);
        Failure? failure;
        try
        {
            failure = await TestAndReloadAsync(cancellationToken);
        }
        catch
        {
            // Cancelled, or the host itself failed (a container that stopped, an engine gone): the file goes back too.
            await RestoreAsync(previous);
            throw;
        }

        if (failure is not null)
        {
            await RestoreAsync(previous);
            if (failure.ReloadBack)
            {
                // The proxy may have loaded part of it: one more reload makes it serve the restored file.
                await Host.RunAsync(Reload, CancellationToken.None);
            }

            throw Failed(failure.What, failure.Next);
        }
    }

    private async Task<Failure?> TestAndReloadAsync(CancellationToken cancellationToken)
    {
        if (Test is not null && await Host.RunAsync(Test, cancellationToken) is { } rejected)
        {
            return new($"the new configuration was rejected: {rejected}", "the proxy was not reloaded", ReloadBack: false);
        }

        if (await Host.RunAsync(Reload, cancellationToken) is { } failed)
        {
            return new($"the reload failed: {failed}", "check that the proxy is running", ReloadBack: true);
        }

        if (WaitForReload is not null && await WaitForReload(cancellationToken) is { } notInEffect)
        {
            return new($"the reload did not take effect: {notInEffect}", "check the proxy's error log", ReloadBack: true);
        }

        return null;
    }

    private DeployException Failed(string what, string next) => Host is LocalProxyHost
        ? new(Errors.PluginFailed, $"{Plugin}: {what}; the previous {Path.GetFileName(File)} was restored, {next}", File)
        : new(Errors.PluginFailed, $"{Plugin}: {what}; the previous {File} in {Host.Where} was restored, {next}");

    /// <summary>Why a step failed, what to do next, and whether the proxy may have loaded the new file.</summary>
    private sealed record Failure(string What, string Next, bool ReloadBack);

    // Runs to the end even when the command was cancelled: the proxy must be left with the file it had.
    private Task RestoreAsync(byte[]? previous) =>
        previous is null ? Host.DeleteAsync(File, CancellationToken.None) : Host.WriteAsync(File, previous, CancellationToken.None);
}
