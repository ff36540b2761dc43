using System.Text.Json;
using Deploy.Engine.Apps;
using Deploy.Engine.Diagnostics;
using Deploy.Engine.State.Target;

namespace Deploy.Action.Runner;

/// <summary>
/// What the Action needs from the spec before the engine runs: the app's ID (the default environment), the names
/// of its secret vars, to mask their values before anything could print them, and whether its state lives on a target
/// (a Docker engine), so the local state folder is only a working copy. Null or empty when the spec is unreadable;
/// the engine then reports why, located in the file.
/// </summary>
internal sealed record SpecPeek(string? Id, IReadOnlyList<string> Secrets, bool StateOnTarget = false)
{
    /// <summary>Reads <paramref name="file"/> leniently; never throws.</summary>
    public static SpecPeek Read(string file)
    {
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(file), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            var spec = AppSpecParser.Parse(doc.RootElement, new DiagnosticBag());
            if (spec is not null)
            {
                return new SpecPeek(spec.Id, spec.Secrets, TargetLocator.KeepsStateOnTarget(spec));
            }

            // An invalid spec may still name its ID and secrets; take them so masking does not depend on validity.
            var root = doc.RootElement;
            var id = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("ID", out var i) && i.ValueKind == JsonValueKind.String ? i.GetString() : null;
            var secrets = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("Secrets", out var s) && s.ValueKind == JsonValueKind.Array
                ? s.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!).ToList()
                : [];
            return new SpecPeek(id, secrets);
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
        {
            return new SpecPeek(null, []);
        }
    }
}
