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
        try
        {
            if (Test is not null && await Host.RunAsync(Test, cancellationToken) is { } rejected)
            {
                await RestoreAsync(previous);
                throw Failed($"the new configuration was rejected: {rejected}", "the proxy was not reloaded");
            }

            if (await Host.RunAsync(Reload, cancellationToken) is { } failed)
            {
                await RestoreAsync(previous);
                // The proxy may have loaded part of it before failing: one more reload makes it serve the restored file.
                await Host.RunAsync(Reload, CancellationToken.None);
                throw Failed($"the reload failed: {failed}", "check that the proxy is running");
            }

            if (WaitForReload is not null && await WaitForReload(cancellationToken) is { } notInEffect)
            {
                await RestoreAsync(previous);
                // Whatever the proxy loaded, one more reload makes it serve the restored file.
                await Host.RunAsync(Reload, CancellationToken.None);
                throw Failed($"the reload did not take effect: {notInEffect}", "check the proxy's error log");
            }
        }
        catch (OperationCanceledException)
        {
            await RestoreAsync(previous);
            throw;
        }
    }

    private DeployException Failed(string what, string next) => Host is LocalProxyHost
        ? new(Errors.PluginFailed, $"{Plugin}: {what}; the previous {Path.GetFileName(File)} was restored, {next}", File)
        : new(Errors.PluginFailed, $"{Plugin}: {what}; the previous {File} in {Host.Where} was restored, {next}");

    // Runs to the end even when the command was cancelled: the proxy must be left with the file it had.
    private Task RestoreAsync(byte[]? previous) =>
        previous is null ? Host.DeleteAsync(File, CancellationToken.None) : Host.WriteAsync(File, previous, CancellationToken.None);
}
