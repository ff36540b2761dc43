namespace Deploy.Tests.Support;

/// <summary>The repository root, found by walking up to Deploy.sln.</summary>
public static class Repo
{
    public static string Root { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Deploy.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Deploy.sln not found above " + AppContext.BaseDirectory);
    }
}
