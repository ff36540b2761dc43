using System.Diagnostics;
using Deploy.Tests.Support;

namespace Deploy.Tests.Tasks;

/// <summary>
/// Once per test run (shared by the <see cref="PackedConsumerCollection"/>): packs Deploy.Tasks from this repository into
/// a temp feed under a unique version, and creates two consumers referencing exactly that version, restored into their
/// own package cache so no stale copy can interfere: a console app (<c>dotnet new console</c>) that prints the deploy
/// outputs after each deploy target and its own version when run, and a stock web app (<c>dotnet new web</c>) set up as
/// docs/msbuild.md says, which <see cref="NewWebApp"/> copies for each test.
/// </summary>
public sealed class PackedConsumer : IAsyncLifetime
{
    private readonly TempDir _dir = new();

    /// <summary>The package version packed for this run.</summary>
    public string Version { get; } = $"0.0.0-test.t{DateTime.UtcNow:yyyyMMddHHmmss}{Random.Shared.Next(1000, 9999)}";

    /// <summary>The consumer project's folder.</summary>
    public string Project => Path.Combine(_dir.Path, "consumer");

    /// <summary>The dotnet CLI in the consumer's folder with its own package cache.</summary>
    public DotnetCli Dotnet => new(Project, Packages);

    /// <summary>How long packing took.</summary>
    public TimeSpan PackDuration { get; private set; }

    /// <summary>The feed the package was packed into.</summary>
    public string Feed => Path.Combine(_dir.Path, "feed");

    /// <summary>The package cache every consumer restores into.</summary>
    public string Packages => Path.Combine(_dir.Path, "packages");

    /// <summary>A fresh folder for one test's state, releases and specs.</summary>
    public string NewRun(string name)
    {
        var path = Path.Combine(_dir.Path, "runs", name);
        Directory.CreateDirectory(path);
        return path;
    }

    public async Task InitializeAsync()
    {
        var feed = Feed;
        var clock = Stopwatch.StartNew();
        // Artifacts output keeps the pack's build out of the repository's bin/ and obj/.
        var pack = await new DotnetCli(Repo.Root).RunAsync("pack", Path.Combine(Repo.Root, "tasks", "Deploy.Tasks.csproj"), "-o", feed,
            $"-p:Version={Version}", "-p:UseArtifactsOutput=true", $"-p:ArtifactsPath={Path.Combine(_dir.Path, "artifacts")}",
            "-nodeReuse:false", "-p:UseSharedCompilation=false", "-tl:off");
        PackDuration = clock.Elapsed;
        Check(pack);

        Check(await new DotnetCli(_dir.Path).RunAsync("new", "console", "-n", "consumer", "-o", Project));
        File.WriteAllText(Path.Combine(Project, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="deploy-tasks-test" value="{feed}" />
              </packageSources>
            </configuration>
            """);
        var csproj = Path.Combine(Project, "consumer.csproj");
        File.WriteAllText(csproj, File.ReadAllText(csproj).Replace("</Project>", $"""
              <ItemGroup>
                <PackageReference Include="Deploy.Tasks" Version="{Version}" />
              </ItemGroup>
              <Target Name="PrintDeployOutputs" AfterTargets="BlueGreenPlan;BlueGreenDeploy;BlueGreenStatus;BlueGreenFlip;BlueGreenRollback">
                <Message Importance="high" Text="deploy-outputs: live=$(DeployLiveColour) previous=$(DeployPreviousColour) version=$(DeployVersion) changed=$(DeployChanged)" />
              </Target>
            </Project>
            """));
        File.WriteAllText(Path.Combine(Project, "Program.cs"), "Console.WriteLine(typeof(Program).Assembly.GetName().Version);\n");
        Check(await Dotnet.RunAsync("restore", "-nodeReuse:false", "-tl:off"));
        await WebAppTemplate.CreateTemplateAsync(_dir.Path, Feed, Version, Packages);
    }

    /// <summary>
    /// A copy of the stock web app <c>shop</c> (with the package and the local feed, as docs/msbuild.md sets it up) in
    /// a fresh folder of its own, with examples/msbuild/deploy.json beside it on a free port range; returns its folder.
    /// </summary>
    public string NewWebApp(string name) => WebAppTemplate.Copy(_dir.Path, NewRun(name));

    public Task DisposeAsync()
    {
        _dir.Dispose();
        return Task.CompletedTask;
    }

    private static void Check(DotnetResult result)
    {
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException(result.ToString());
        }
    }
}

/// <summary>Shares one <see cref="PackedConsumer"/> (one pack, one feed) among every class of the MSBuild face's real builds.</summary>
[CollectionDefinition(Name)]
public sealed class PackedConsumerCollection : ICollectionFixture<PackedConsumer>
{
    public const string Name = "Packed Deploy.Tasks";
}
