namespace Deploy.Engine.Docker;

/// <summary>The user's home and <c>~/</c> paths, as the docker CLI and ssh resolve them (HOME, else the profile folder).</summary>
internal static class UserPaths
{
    /// <summary>The home folder: <c>HOME</c> from <paramref name="environment"/>, else the user's profile folder.</summary>
    public static string Home(Func<string, string?> environment) =>
        environment("HOME") is { Length: > 0 } home ? home : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);

    /// <summary><paramref name="path"/> with a leading <c>~/</c> made the home folder; other paths as given.</summary>
    public static string? ExpandHome(string? path, Func<string, string?> environment) =>
        path is not null && path.StartsWith("~/", StringComparison.Ordinal) ? Path.Combine(Home(environment), path[2..]) : path;
}
