using System.Diagnostics;

namespace Deploy.Tests.Action;

/// <summary>
/// Shared by the Action's process tests, started once per run: the entrypoint published with the Dockerfile's flags,
/// and Prism behind nginx (started alongside, since it takes about a minute). A test that needs Prism fails, never
/// skips, when Prism did not start.
/// </summary>
public sealed class ActionFixture : IAsyncLifetime
{
    private readonly string _publishDirectory = Directory.CreateTempSubdirectory("deploy-action-publish-").FullName;
    private Task<PrismServer>? _prism;
    private Task<PublishedEntrypoint>? _entrypoint;

    /// <summary>How long publishing took.</summary>
    public TimeSpan PublishTime { get; private set; }

    /// <summary>The published entrypoint; throws (fails the test) when publish failed.</summary>
    public Task<PublishedEntrypoint> Entrypoint => _entrypoint!;

    /// <summary>Prism behind nginx; throws (fails the test) when it did not start.</summary>
    public Task<PrismServer> Prism => _prism!;

    public Task InitializeAsync()
    {
        _prism = Task.Run(PrismServer.StartAsync);
        _entrypoint = Task.Run(async () =>
        {
            var clock = Stopwatch.StartNew();
            var published = await PublishedEntrypoint.PublishAsync(_publishDirectory);
            PublishTime = clock.Elapsed;
            return published;
        });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        if (_prism is { IsCompletedSuccessfully: true })
        {
            await _prism.Result.DisposeAsync();
        }
        else if (_prism is not null)
        {
            try
            {
                await (await _prism).DisposeAsync();
            }
            catch (Exception)
            {
                // it never started; the tests that needed it have failed already
            }
        }

        try
        {
            Directory.Delete(_publishDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>The Action's process tests share one <see cref="ActionFixture"/>.</summary>
[CollectionDefinition(Name)]
public sealed class ActionCollection : ICollectionFixture<ActionFixture>
{
    public const string Name = "Action";
}
