using System.Text.Json;
using System.Text.Json.Serialization;
using Deploy.Engine.Groups;
using Deploy.Engine.Plugins.Instance;

namespace Deploy.Cli.Rendering;

/// <summary>Text tables and camelCase JSON for read commands.</summary>
internal static class Output
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    /// <summary>Writes <paramref name="value"/> as indented camelCase JSON.</summary>
    public static void WriteJson(TextWriter writer, object value) => writer.WriteLine(JsonSerializer.Serialize(value, Json));

    /// <summary>The seed's member table: <c>ID  LOGICAL  TAGS</c>.</summary>
    public static void WriteMembers(TextWriter writer, IReadOnlyList<MemberView> members) =>
        WriteTable(writer, ["ID", "LOGICAL", "TAGS"],
            members.Select(m => new[] { m.Id, m.LogicalId ?? "-", TagFilter.Format(m.Tags) }));

    /// <summary>Writes left-aligned columns separated by at least two spaces; the last column is not padded.</summary>
    public static void WriteTable(TextWriter writer, IReadOnlyList<string> header, IEnumerable<string[]> rows)
    {
        var all = new List<string[]> { header.ToArray() };
        all.AddRange(rows);
        var widths = Enumerable.Range(0, header.Count).Select(c => all.Max(r => r[c].Length)).ToArray();
        foreach (var row in all)
        {
            var cells = row.Select((cell, c) => c == row.Length - 1 ? cell : cell.PadRight(widths[c] + 2));
            writer.WriteLine(string.Concat(cells).TrimEnd());
        }
    }
}
