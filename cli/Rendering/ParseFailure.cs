using CommandLine;
using CommandLine.Text;
using Deploy.Engine.Diagnostics;
using Deploy.Engine.Validation;

namespace Deploy.Cli.Rendering;

/// <summary>
/// Turns what CommandLineParser rejected into canonical <c>deploy: error DEPLOY1012: ...</c> lines followed by the
/// usage of the verb that was meant (or the list of verbs), instead of the parser's own error text.
/// </summary>
internal static class ParseFailure
{
    /// <summary>Writes one error line per problem and the usage to <paramref name="error"/>; returns the exit code (2).</summary>
    public static int Report(ParserResult<object> result, IEnumerable<Error> errors, string[] args, string prefix, TextWriter error)
    {
        foreach (var message in errors.Select(e => Message(e, result, args, prefix)).Where(m => m is not null).Distinct())
        {
            error.WriteLine(new Diagnostic(Errors.InvalidArgument, message!).ToString());
        }

        var usage = HelpText.AutoBuild(result, h =>
        {
            h.Heading = Verb(result) is { Length: > 0 } verb
                ? $"usage: deploy {prefix}{verb} {(HasPositional(result) ? Positional(result) + " " : "")}[options]"
                : $"usage: deploy {prefix}COMMAND [options]";
            h.Copyright = "";
            h.AutoVersion = false;
            h.AddDashesToOption = true;
            return h;
        }, e => e, verbsIndex: result.TypeInfo.Current == typeof(NullInstance));
        error.WriteLine(usage.ToString().TrimEnd());
        return 2;
    }

    private static string? Message(Error e, ParserResult<object> result, string[] args, string prefix) => e switch
    {
        BadVerbSelectedError bad => $"unknown command \"{prefix}{bad.Token}\"{Suggestion(bad.Token, Verbs(result))}; known commands: {string.Join(", ", Verbs(result))}",
        NoVerbSelectedError => $"no command given; known commands: {string.Join(", ", Verbs(result))}",
        UnknownOptionError unknown when args.FirstOrDefault(a => a.StartsWith('-') && !a.StartsWith("--") && a.Length > 2 && a[1..].StartsWith(unknown.Token)) is { } single =>
            $"unknown option \"{single}\" of deploy {prefix}{Verb(result)}; long options take two dashes: -{single}",
        UnknownOptionError unknown => $"unknown option \"{(unknown.Token.Length == 1 ? "-" : "--")}{unknown.Token}\" of deploy {prefix}{Verb(result)}; see the options below",
        MissingRequiredOptionError missing when missing.NameInfo == NameInfo.EmptyName || missing.NameInfo.NameText.Length == 0 =>
            $"deploy {prefix}{Verb(result)} needs {Positional(result)}",
        MissingRequiredOptionError missing => $"deploy {prefix}{Verb(result)} needs --{missing.NameInfo.LongName}",
        MissingValueOptionError missing => $"--{missing.NameInfo.LongName} needs a value, e.g. --{missing.NameInfo.LongName} VALUE",
        BadFormatConversionError bad => $"--{bad.NameInfo.LongName} has a value that cannot be used; see the options below",
        RepeatedOptionError repeated => $"--{repeated.NameInfo.LongName} is given more than once",
        HelpRequestedError or HelpVerbRequestedError or VersionRequestedError => null,
        _ => $"the command line cannot be used ({e.Tag}); see the usage below",
    };

    private static string Verb(ParserResult<object> result) =>
        result.TypeInfo.Current.GetCustomAttributes(typeof(VerbAttribute), false).OfType<VerbAttribute>().FirstOrDefault()?.Name ?? "";

    private static string Positional(ParserResult<object> result) =>
        result.TypeInfo.Current.GetProperties().SelectMany(p => p.GetCustomAttributes(typeof(ValueAttribute), true).OfType<ValueAttribute>())
            .Select(v => v.MetaName).FirstOrDefault() is { Length: > 0 } name ? name : "an argument";

    private static bool HasPositional(ParserResult<object> result) =>
        result.TypeInfo.Current.GetProperties().Any(p => p.GetCustomAttributes(typeof(ValueAttribute), true).Length > 0);

    private static List<string> Verbs(ParserResult<object> result) =>
        result.TypeInfo.Choices.SelectMany(t => t.GetCustomAttributes(typeof(VerbAttribute), false).OfType<VerbAttribute>())
            .Where(v => !v.Hidden).Select(v => v.Name).ToList();

    private static string Suggestion(string token, IReadOnlyList<string> known) =>
        Suggest.Closest(token, known) is { } near ? $" (did you mean \"{near}\"?)" : "";
}
