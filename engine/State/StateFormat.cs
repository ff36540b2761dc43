using System.Text.Json;
using Deploy.Engine.Diagnostics;

namespace Deploy.Engine.State;

/// <summary>
/// The format version of what Deploy writes: the state folder (<c>format.json</c>), the proxy header and the records.
/// Format 1 is the release before versions were written: it has no marker and is read as it is, so an upgrade never
/// redeploys by surprise. A newer format than this build knows is refused rather than misread.
/// </summary>
public static class StateFormat
{
    /// <summary>The format this build writes.</summary>
    public const int Current = 2;

    /// <summary>The format of the state folder <paramref name="directory"/>: 1 when it has no marker (or does not exist yet).</summary>
    public static int Of(string directory)
    {
        var path = MarkerPath(directory);
        try
        {
            return File.Exists(path) && JsonDocument.Parse(File.ReadAllText(path)).RootElement.TryGetProperty("Format", out var f) && f.TryGetInt32(out var n) ? n : 1;
        }
        catch (JsonException)
        {
            throw new DeployException(Errors.OperationFailed, "the state folder's format marker cannot be read; restore it or delete it (format 1 is assumed without it)", path);
        }
    }

    /// <summary>Refuses a state folder written by a newer Deploy.</summary>
    public static void EnsureReadable(string directory)
    {
        var format = Of(directory);
        if (format > Current)
        {
            throw Newer("the state folder " + Path.GetFullPath(directory), format);
        }
    }

    /// <summary>Marks the state folder with the current format; called when this build writes to it. Idempotent.</summary>
    public static void Stamp(string directory)
    {
        EnsureReadable(directory);
        if (Of(directory) != Current)
        {
            AtomicFile.Write(MarkerPath(directory), JsonSerializer.Serialize(new { Format = Current }));
        }
    }

    /// <summary>The error for something written by a newer Deploy.</summary>
    public static DeployException Newer(string what, int format) => new(Errors.Refused,
        $"{what} was written by a newer Deploy (format {format}; this one reads formats 1 to {Current}); upgrade deploy, or use the release that wrote it");

    private static string MarkerPath(string directory) => Path.Combine(directory, "format.json");
}
