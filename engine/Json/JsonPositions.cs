using System.Text;
using System.Text.Json;

namespace Deploy.Engine.Json;

/// <summary>
/// Maps JSON paths (<c>$.Properties.Allocation.Size</c>, <c>$.List[0]</c>) to 1-based line and column,
/// read from the token stream so diagnostics can point editors at the exact spot.
/// </summary>
public sealed class JsonPositions
{
    private readonly Dictionary<string, (int Line, int Column)> _byPath = new(StringComparer.Ordinal);

    private readonly List<(string Path, int Line, int Column)> _duplicates = [];

    private JsonPositions()
    {
    }

    /// <summary>Every property given a second time in the same object (exact name), at the later value's position.</summary>
    public IReadOnlyList<(string Path, int Line, int Column)> Duplicates => _duplicates;

    /// <summary>Records the start of every value in <paramref name="utf8"/>, which must be valid JSON.</summary>
    public static JsonPositions Read(byte[] utf8)
    {
        var positions = new JsonPositions();
        var lines = new LineIndex(utf8);
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip });
        var stack = new Stack<Frame>();
        string? pendingProperty = null;
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.PropertyName)
            {
                pendingProperty = reader.GetString();
                continue;
            }

            if (reader.TokenType is JsonTokenType.EndObject or JsonTokenType.EndArray)
            {
                stack.Pop();
                continue;
            }

            var path = ValuePath(stack, pendingProperty);
            var position = lines.Position(reader.TokenStartIndex);
            if (!positions._byPath.TryAdd(path, position) && pendingProperty is not null)
            {
                positions._duplicates.Add((path, position.Line, position.Column));
            }

            pendingProperty = null;
            if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
            {
                stack.Push(new Frame(path, reader.TokenType == JsonTokenType.StartArray));
            }
        }

        return positions;
    }

    /// <summary>The position of <paramref name="path"/>, or of its nearest ancestor that exists in the file.</summary>
    public (int Line, int Column)? Find(string path)
    {
        for (var p = path; p.Length > 0; p = JsonPath.Parent(p))
        {
            if (_byPath.TryGetValue(p, out var pos))
            {
                return pos;
            }

            if (p == "$")
            {
                break;
            }
        }

        return null;
    }

    private static string ValuePath(Stack<Frame> stack, string? property)
    {
        if (stack.Count == 0)
        {
            return "$";
        }

        var parent = stack.Peek();
        return parent.IsArray ? $"{parent.Path}[{parent.NextIndex++}]" : JsonPath.Child(parent.Path, property!);
    }

    private sealed class Frame(string path, bool isArray)
    {
        public string Path { get; } = path;
        public bool IsArray { get; } = isArray;
        public int NextIndex { get; set; }
    }

    /// <summary>Turns a byte offset into a 1-based line and a 1-based column counted in characters.</summary>
    internal sealed class LineIndex
    {
        private readonly byte[] _utf8;
        private readonly List<int> _lineStarts = [0];

        public LineIndex(byte[] utf8)
        {
            _utf8 = utf8;
            for (var i = 0; i < utf8.Length; i++)
            {
                if (utf8[i] == (byte)'\n')
                {
                    _lineStarts.Add(i + 1);
                }
            }
        }

        public (int Line, int Column) Position(long offset)
        {
            var index = _lineStarts.BinarySearch((int)offset);
            var line = index >= 0 ? index : ~index - 1;
            var start = _lineStarts[line];
            var column = Encoding.UTF8.GetCharCount(_utf8, start, (int)offset - start) + 1;
            return (line + 1, column);
        }
    }
}
