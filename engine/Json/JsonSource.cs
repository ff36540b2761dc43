using System.Buffers;
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
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new DeployException(Errors.FileNotFound, "the file does not exist; check the path", path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DeployException(Errors.FileNotFound, $"the file cannot be read ({e.Message})", path);
        }

        return Parse(path, bytes);
    }

    /// <summary>Parses <paramref name="utf8"/> as the content of <paramref name="file"/>.</summary>
    public static JsonSource Parse(string file, byte[] utf8)
    {
        var span = utf8.AsSpan().StartsWith(Encoding.UTF8.Preamble) ? utf8[3..] : utf8;
        try
        {
            CheckText(file, span);
            using var document = JsonDocument.Parse(span, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
            var positions = JsonPositions.Read(span);
            if (positions.Duplicates.Count > 0)
            {
                // Go keeps the last of duplicate keys silently; a spec that says two things is refused instead.
                throw new DeployException(positions.Duplicates.Select(d => new Diagnostic(Errors.Duplicate,
                    "is given twice in this object; keep one (only the last would count)", file, d.Path, d.Line, d.Column)).ToList());
            }

            return new JsonSource(file, document.RootElement.Clone(), positions);
        }
        catch (JsonException e)
        {
            throw new DeployException([new Diagnostic(
                Errors.InvalidJson,
                InvalidJsonMessage(e.Message),
                file,
                Line: (int)(e.LineNumber ?? 0) + 1,
                Column: (int)(e.BytePositionInLine ?? 0) + 1)]);
        }
    }

    // Every string and property name must be Unicode text: System.Text.Json reads invalid UTF-8 bytes and lone
    // surrogate escapes ("\ud800") without complaint, then fails with its own words when the value is used.
    private static void CheckText(string file, byte[] utf8)
    {
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip });
        while (reader.Read())
        {
            if (reader.TokenType is not (JsonTokenType.String or JsonTokenType.PropertyName))
            {
                continue;
            }

            var what = reader.TokenType == JsonTokenType.PropertyName ? "property name" : "string";
            bool valid;
            try
            {
                valid = !HasLoneSurrogate(reader.GetString()!);
            }
            catch (InvalidOperationException)
            {
                valid = false;
            }

            var problem = valid ? null
                : System.Text.Unicode.Utf8.IsValid(reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan)
                    ? $"invalid JSON: the {what} holds half of a surrogate pair (an escape such as \\ud800 without its partner); write the whole character or remove the escape"
                    : $"invalid JSON: the {what} is not valid UTF-8; save the file as UTF-8";

            if (problem is not null)
            {
                var (line, column) = new JsonPositions.LineIndex(utf8).Position(reader.TokenStartIndex);
                throw new DeployException([new Diagnostic(Errors.InvalidJson, problem, file, Line: line, Column: column)]);
            }
        }
    }

    private static bool HasLoneSurrogate(string s)
    {
        for (var i = 0; i < s.Length; i++)
        {
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(s[i]))
            {
                return true;
            }
        }

        return false;
    }

    // System.Text.Json's messages speak of reader options; say what is wrong with the file instead.
    private static string InvalidJsonMessage(string message)
    {
        var reason = message.Split(" LineNumber:", 2)[0].Split(" Path:", 2)[0];
        return reason switch
        {
            _ when reason.Contains("trailing comma", StringComparison.OrdinalIgnoreCase) => "invalid JSON: remove the trailing comma",
            _ when reason.Contains("end of data", StringComparison.OrdinalIgnoreCase) || reason.Contains("incomplete", StringComparison.OrdinalIgnoreCase) || reason.Contains("depth", StringComparison.OrdinalIgnoreCase)
                => "invalid JSON: the file ends early; close every { and [",
            _ when reason.Contains("property name", StringComparison.OrdinalIgnoreCase) => "invalid JSON: property names must be in double quotes",
            _ => $"invalid JSON: {reason.Replace(" Change the reader options.", "").TrimEnd('.')}; fix the syntax here",
        };
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
