using System.Text.RegularExpressions;

namespace Deploy.Engine.Json;

/// <summary>Builds and splits the JSON paths used in diagnostics (<c>$.a.b[0]</c>; odd keys as <c>$['a b']</c>).</summary>
public static partial class JsonPath
{
    /// <summary>The path of property <paramref name="name"/> under <paramref name="parent"/>.</summary>
    public static string Child(string parent, string name) =>
        SimpleName().IsMatch(name) ? $"{parent}.{name}" : $"{parent}['{name.Replace("'", "\\'")}']";

    /// <summary>The path of element <paramref name="index"/> of the array at <paramref name="parent"/>.</summary>
    public static string Index(string parent, int index) => $"{parent}[{index}]";

    /// <summary>The parent path, or the empty string for <c>$</c>.</summary>
    public static string Parent(string path)
    {
        if (path == "$")
        {
            return "";
        }

        var cut = path.EndsWith(']') ? path.LastIndexOf('[') : path.LastIndexOf('.');
        return cut <= 0 ? "$" : path[..cut];
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_-]*$")]
    private static partial Regex SimpleName();
}
