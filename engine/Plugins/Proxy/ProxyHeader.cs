using System.Text.RegularExpressions;

namespace Deploy.Engine.Plugins.Proxy;

/// <summary>
/// The comment a proxy plugin writes at the top of the proxy's configuration, e.g.
/// <c># deploy: app=shop colour=green config_sha=3f2a… format=2</c>, so the live colour can be read back from the proxy
/// itself. Values are percent-encoded; <c>-</c> stands for "none". A header without <c>format</c> is format 1 (the release
/// before formats were written) and reads the same; a newer format than this build knows is refused.
/// </summary>
public static partial class ProxyHeader
{
    /// <summary>The header line for <paramref name="route"/>, without a newline.</summary>
    public static string Format(ProxyRoute route) =>
        $"# deploy: app={Encode(route.App)} colour={Encode(route.Colour)} config_sha={Encode(route.ConfigHash)} format={State.StateFormat.Current}";

    /// <summary>App, colour and config hash from the first header line in <paramref name="text"/>; null when there is none.</summary>
    public static (string App, string? Colour, string? ConfigHash)? Parse(string text)
    {
        var match = Line().Match(text);
        if (!match.Success)
        {
            return null;
        }

        var format = match.Groups["format"].Success ? int.Parse(match.Groups["format"].Value, System.Globalization.CultureInfo.InvariantCulture) : 1;
        if (format > State.StateFormat.Current)
        {
            throw State.StateFormat.Newer("the proxy's configuration header", format);
        }

        return (Decode(match.Groups["app"].Value) ?? "", Decode(match.Groups["colour"].Value), Decode(match.Groups["sha"].Value));
    }

    private static string Encode(string? value) => string.IsNullOrEmpty(value) ? "-" : Uri.EscapeDataString(value);

    private static string? Decode(string value) => value == "-" ? null : Uri.UnescapeDataString(value);

    [GeneratedRegex(@"^[ \t]*#[ \t]*deploy:[ \t]+app=(?<app>\S+)[ \t]+colour=(?<colour>\S+)[ \t]+config_sha=(?<sha>\S+)(?:[ \t]+format=(?<format>[0-9]{1,6}))?[ \t]*\r?$", RegexOptions.Multiline)]
    private static partial Regex Line();
}
