using System.Globalization;

namespace Deploy.Engine.Plugins.Instance.Process;

/// <summary>
/// What one instance is started with: <see cref="ProcessProperties"/> with its port filled in and its relative paths
/// resolved against the spec's folder, plus the variables that make a stock ASP.NET Core app serve on that port.
/// </summary>
/// <param name="Argv">The program and its arguments; a relative program path (one with a <c>/</c>) made absolute.</param>
/// <param name="Env">The instance's variables: its own <c>Env</c>, <c>PORT</c>, and the ASP.NET Core defaults it did not set.</param>
/// <param name="WorkingDirectory">Where it starts: <c>WorkingDirectory</c> against the spec's folder, default the spec's folder.</param>
internal sealed record ProcessLaunch(IReadOnlyList<string> Argv, IReadOnlyDictionary<string, string> Env, string WorkingDirectory)
{
    /// <summary>The URL ASP.NET Core listens on, unless the instance's Env sets it.</summary>
    public const string UrlsVariable = "ASPNETCORE_URLS";

    /// <summary>The folder ASP.NET Core serves content (wwwroot, appsettings.json) from, unless the instance's Env sets it.</summary>
    public const string ContentRootVariable = "ASPNETCORE_CONTENTROOT";

    /// <summary>The launch of <paramref name="properties"/> on <paramref name="port"/>, relative paths against <paramref name="baseDirectory"/>.</summary>
    public static ProcessLaunch For(ProcessProperties properties, int port, string baseDirectory)
    {
        var argv = properties.Command.Select(a => ProcessProperties.WithPort(a, port)).ToList();
        var explicitFolder = properties.WorkingDirectory is { } wd ? Path.GetFullPath(ProcessProperties.WithPort(wd, port), baseDirectory) : null;
        var folder = explicitFolder ?? Path.GetFullPath(baseDirectory);
        if (argv[0].Contains('/') && !Path.IsPathRooted(argv[0]))
        {
            argv[0] = Path.GetFullPath(argv[0], folder);
        }

        var env = properties.Env.ToDictionary(e => e.Key, e => ProcessProperties.WithPort(e.Value, port), StringComparer.Ordinal);
        env["PORT"] = port.ToString(CultureInfo.InvariantCulture);
        env.TryAdd(UrlsVariable, $"http://127.0.0.1:{port}");
        if ((explicitFolder ?? ReleaseFolder(argv, folder)) is { } root)
        {
            env.TryAdd(ContentRootVariable, root);
        }

        return new ProcessLaunch(argv, env, folder);
    }

    // Without a WorkingDirectory the release is where the app's files are: the folder of the .dll that `dotnet` runs
    // (`dotnet /srv/shop/2.0.0/shop.dll`), or of the program itself when given as a path (`/srv/shop/2.0.0/shop`).
    private static string? ReleaseFolder(IReadOnlyList<string> argv, string folder)
    {
        var dll = argv.Skip(1).FirstOrDefault(a => !a.StartsWith('-') && a.EndsWith(".dll", StringComparison.OrdinalIgnoreCase));
        var file = dll ?? (argv[0].Contains('/') ? argv[0] : null);
        return file is null ? null : Path.GetDirectoryName(Path.GetFullPath(file, folder));
    }
}
