using Deploy.Tests.Fixtures;
using Deploy.Tests.Support;

namespace Deploy.Tests.Tasks;

/// <summary>
/// The stock web app of docs/msbuild.md: <c>dotnet new web -n shop</c>, a <c>nuget.config</c> naming the local feed,
/// <c>dotnet add package Deploy.Tasks</c>, and examples/msbuild/deploy.json beside it. Created once per run, copied per test.
/// </summary>
internal static class WebAppTemplate
{
    /// <summary>The port range of examples/msbuild/deploy.json, which a copy replaces with a free one.</summary>
    public const string DocumentedPorts = "\"Ports\": { \"From\": 18300, \"To\": 18399 }";

    /// <summary>The sample spec as the docs show it.</summary>
    public static string SampleSpec => File.ReadAllText(Path.Combine(Repo.Root, "examples", "msbuild", "deploy.json"));

    /// <summary>The <c>nuget.config</c> docs/msbuild.md writes, for <paramref name="feed"/>.</summary>
    public static string NugetConfig(string feed) => $"""
        <configuration>
          <packageSources>
            <add key="deploy-local" value="{feed}" />
          </packageSources>
        </configuration>
        """;

    /// <summary>Runs the doc's set-up commands under <paramref name="root"/>/web/shop.</summary>
    public static async Task CreateTemplateAsync(string root, string feed, string version, string packages)
    {
        var web = Path.Combine(root, "web");
        Directory.CreateDirectory(web);
        Check(await new DotnetCli(web, packages).RunAsync("new", "web", "-n", "shop", "-o", "shop"));
        var shop = Path.Combine(web, "shop");
        File.WriteAllText(Path.Combine(shop, "nuget.config"), NugetConfig(feed) + "\n");
        Check(await new DotnetCli(shop, packages).RunAsync("add", "package", "Deploy.Tasks", "--version", version));
    }

    /// <summary>Copies the template (sources only) to <paramref name="run"/>/shop with the sample spec on free ports; returns its folder.</summary>
    public static string Copy(string root, string run)
    {
        var from = Path.Combine(root, "web", "shop");
        var to = Path.Combine(run, "shop");
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories)
                     .Where(f => Path.GetRelativePath(from, f).Split(Path.DirectorySeparatorChar)[0] is not ("bin" or "obj")))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        var port = ProxyFixtures.FreePortRange(10);
        var spec = SampleSpec;
        spec.ShouldContain(DocumentedPorts);
        File.WriteAllText(Path.Combine(to, "deploy.json"), spec.Replace(DocumentedPorts, $"\"Ports\": {{ \"From\": {port}, \"To\": {port + 9} }}"));
        return to;
    }

    private static void Check(DotnetResult result)
    {
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException(result.ToString());
        }
    }
}
