using Deploy.Engine.Diagnostics;
using Microsoft.Build.Framework;
using Task = Microsoft.Build.Utilities.Task;

namespace Deploy.Tasks;

/// <summary>
/// Copies a publish output to the immutable release folder <c>&lt;ReleasesDirectory&gt;/&lt;Version&gt;</c>, so each
/// colour runs its own release and a rollback runs the old files. An existing identical release is reused; one that
/// differs is never overwritten (DEPLOY3004).
/// </summary>
public sealed class DeployRelease : Task
{
    /// <summary>The publish output (required); relative to the project directory.</summary>
    [Required]
    public string SourceDirectory { get; set; } = "";

    /// <summary>The folder holding one folder per version (required); relative to the project directory.</summary>
    [Required]
    public string ReleasesDirectory { get; set; } = "";

    /// <summary>The version being released (required): the release folder's name.</summary>
    [Required]
    public string Version { get; set; } = "";

    /// <summary>The folder relative paths resolve against; default the current directory (MSBuild's project directory).</summary>
    public string? ProjectDirectory { get; set; }

    /// <summary>The release folder: full path, no trailing separator.</summary>
    [Output]
    public string ReleaseDirectory { get; private set; } = "";

    public override bool Execute()
    {
        var events = new MsBuildEvents(Log);
        try
        {
            var root = string.IsNullOrEmpty(ProjectDirectory) ? Environment.CurrentDirectory : Path.GetFullPath(ProjectDirectory);
            var source = Path.TrimEndingDirectorySeparator(Path.GetFullPath(SourceDirectory, root));
            ReleaseDirectory = Copy(source, Path.GetFullPath(ReleasesDirectory, root), Version);
            Log.LogMessage(MessageImportance.High, "{0}", $"release {Version}: {ReleaseDirectory}");
        }
        catch (DeployException e)
        {
            foreach (var d in e.Diagnostics)
            {
                events.Report(d);
            }
        }

        return !Log.HasLoggedErrors;
    }

    /// <summary>Copies <paramref name="source"/> to <c>releases/version</c> unless an identical copy is there; returns its path.</summary>
    public static string Copy(string source, string releases, string version)
    {
        if (version.Length == 0 || version.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || version is "." or ".." || version.Contains('/') || version.Contains('\\'))
        {
            throw new DeployException(Errors.InvalidValue, $"Version \"{version}\" cannot name a release folder; set e.g. -p:Version=1.2.0");
        }

        if (!Directory.Exists(source))
        {
            throw new DeployException(Errors.FileNotFound, $"the publish output {source} does not exist; run dotnet publish first");
        }

        var target = Path.TrimEndingDirectorySeparator(Path.GetFullPath(Path.Combine(releases, version)));
        if (!Directory.Exists(target))
        {
            // Copy aside, then move into place in one step: a release folder is either absent or complete.
            var temp = Path.Combine(releases, $".{version}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
            CopyTree(source, temp);
            try
            {
                Directory.Move(temp, target);
                return target;
            }
            catch (IOException) when (Directory.Exists(target))
            {
                Directory.Delete(temp, recursive: true); // another build released the same version meanwhile: compare with it
            }
        }

        if (FirstDifference(source, target) is { } differs)
        {
            throw new DeployException(Errors.Refused,
                $"release {version} already exists at {target} and differs from this publish ({differs}); releases are never overwritten: " +
                "publish with a new -p:Version, or delete that folder if no colour runs from it");
        }

        return target;
    }

    private static void CopyTree(string source, string target)
    {
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var to = Path.Combine(target, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(to)!);
            File.Copy(file, to);
        }

        Directory.CreateDirectory(target);
    }

    // The first file that is missing, extra or different in content, as a relative path with a reason; null when equal.
    private static string? FirstDifference(string source, string release)
    {
        var mine = Files(source);
        var theirs = Files(release);
        foreach (var file in mine.Except(theirs, StringComparer.Ordinal))
        {
            return $"{file} is new";
        }

        foreach (var file in theirs.Except(mine, StringComparer.Ordinal))
        {
            return $"{file} is gone";
        }

        foreach (var file in mine)
        {
            var a = new FileInfo(Path.Combine(source, file));
            var b = new FileInfo(Path.Combine(release, file));
            if (a.Length != b.Length || !File.ReadAllBytes(a.FullName).AsSpan().SequenceEqual(File.ReadAllBytes(b.FullName)))
            {
                return $"{file} changed";
            }
        }

        return null;
    }

    private static List<string> Files(string root) =>
        Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(root, f)).Order(StringComparer.Ordinal).ToList();
}
