using Deploy.Tests.Support;

namespace Deploy.Tests.Fixtures;

/// <summary>
/// examples/hello built once per test collection into a temp folder; run it as <c>dotnet &lt;Dll&gt;</c>.
/// A collection fixture rather than a static: xunit owns its lifetime and deletes the build afterwards.
/// </summary>
public sealed class HelloApp : IAsyncLifetime
{
    /// <summary>The collection name to put on test classes that run the app.</summary>
    public const string Collection = "hello app";

    private readonly TempDir _output = new();

    /// <summary>The built <c>hello.dll</c>.</summary>
    public string Dll => Path.Combine(_output.Path, "hello.dll");

    public Task InitializeAsync() => HelloBuild.BuildAsync(_output.Path);

    public Task DisposeAsync()
    {
        _output.Dispose();
        return Task.CompletedTask;
    }
}

/// <summary>Shares one <see cref="HelloApp"/> build among every class marked <c>[Collection(HelloApp.Collection)]</c>.</summary>
[CollectionDefinition(HelloApp.Collection)]
public sealed class HelloAppCollection : ICollectionFixture<HelloApp>;
