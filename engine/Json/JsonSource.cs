using System.Text;
using System.Text.Json;
using Deploy.Engine.Diagnostics;

namespace Deploy.Engine.Json;

/// <summary>
/// A JSON file loaded with the positions of its values, so every diagnostic about it can name
/// the file, the JSON path, and the line and column.
/// </summary>
public sealed class JsonSource
{
    private readonly JsonPositions _positions;

    private JsonSource(string file, JsonElement root, JsonPositions positions)
    {
        File = file;
        Root = root;
        _positions = positions;
    }

    /// <summary>The file name as given by the user (used in diagnostics).</summary>
    public string File { get; }

    /// <summary>The document's root value.</summary>
    public JsonElement Root { get; }

    /// <summary>Reads <paramref name="path"/>; a missing file or invalid JSON becomes a <see cref="DeployException"/>.</summary>
    public static JsonSource Load(string path)
    {
        byte[] bytes;
        try
        {
            bytes = System.IO.File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DeployException(Errors.FileNotFound, $"cannot read the spec: {e.Message}", path);
        }

        return Parse(path, bytes);
    }

    /// <summary>Parses <paramref name="utf8"/> as the content of <paramref name="file"/>.</summary>
    public static JsonSource Parse(string file, byte[] utf8)
    {
        var span = utf8.AsSpan().StartsWith(Encoding.UTF8.Preamble) ? utf8[3..] : utf8;
        try
        {
            using var document = JsonDocument.Parse(span, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
            return new JsonSource(file, document.RootElement.Clone(), JsonPositions.Read(span));
        }
        catch (JsonException e)
        {
            var reason = e.Message.Split(" Path:", 2)[0].Split(" LineNumber:", 2)[0].TrimEnd('.');
            throw new DeployException([new Diagnostic(
                Errors.InvalidJson,
                $"{reason}; fix the JSON syntax at this position",
                file,
                Line: (int)(e.LineNumber ?? 0) + 1,
                Column: (int)(e.BytePositionInLine ?? 0) + 1)]);
        }
    }

    /// <summary>Adds the file name and position to diagnostics that carry only a JSON path.</summary>
    public IReadOnlyList<Diagnostic> Locate(IEnumerable<Diagnostic> diagnostics) =>
        diagnostics.Select(d =>
        {
            if (d.File is not null || d.Path is null)
            {
                return d;
            }

            var pos = _positions.Find(d.Path);
            return d with { File = File, Line = pos?.Line, Column = pos?.Column };
        }).ToList();
}
