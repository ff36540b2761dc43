using CommandLine;
using Deploy.Cli.Commands;
using Deploy.Cli.Options;
using Deploy.Engine.Diagnostics;

namespace Deploy.Cli;

/// <summary>
/// The CLI's one dispatch: nouns (<c>group</c>, <c>instance</c>, <c>plugin</c>, <c>proxy</c>) pick a verb parser of their own,
/// since CommandLineParser has no nested verbs; everything else is a top-level verb. Errors become canonical
/// diagnostics and exit codes (0 ok, 1 failed, 2 bad input, 3 locked), never stack traces.
/// </summary>
public sealed class CliApp(TextWriter stdout, TextWriter stderr, Func<string, string?> env, CancellationToken cancellationToken)
{
    private readonly CliContext _cli = new(stdout, stderr, env, cancellationToken);

    /// <summary>Runs one command line and returns its exit code.</summary>
    public async Task<int> RunAsync(string[] args)
    {
        try
        {
            return args.FirstOrDefault() switch
            {
                "group" => await Run(args[1..], "group ", p => p.ParseArguments<GroupWatchOptions, GroupDescribeOptions, GroupUpdateOptions,
                        GroupInspectOptions, GroupListOptions, GroupFreeOptions, GroupDestroyOptions>(args[1..]), (r, failed) => r.MapResult(
                        (GroupWatchOptions o) => GroupCommands.WatchAsync(_cli, o),
                        (GroupDescribeOptions o) => GroupCommands.DescribeAsync(_cli, o),
                        (GroupUpdateOptions o) => GroupCommands.UpdateAsync(_cli, o),
                        (GroupInspectOptions o) => GroupCommands.InspectAsync(_cli, o),
                        (GroupListOptions o) => GroupCommands.ListAsync(_cli, o),
                        (GroupFreeOptions o) => GroupCommands.FreeAsync(_cli, o),
                        (GroupDestroyOptions o) => GroupCommands.DestroyAsync(_cli, o),
                        failed)),
                "instance" => await Run(args[1..], "instance ", p => p.ParseArguments<InstanceDescribeOptions, NoVerb>(args[1..]),
                    (r, failed) => r.MapResult((InstanceDescribeOptions o) => GroupCommands.DescribeInstancesAsync(_cli, o), (NoVerb _) => Task.FromResult(2), failed)),
                "plugin" => await Run(args[1..], "plugin ", p => p.ParseArguments<PluginListOptions, PluginServeOptions>(args[1..]),
                    (r, failed) => r.MapResult(
                        (PluginListOptions o) => GroupCommands.ListPluginsAsync(_cli, o),
                        (PluginServeOptions o) => PluginServeCommand.RunAsync(_cli, o),
                        failed)),
                "proxy" => await Run(args[1..], "proxy ", p => p.ParseArguments<ProxyBootOptions, NoVerb>(args[1..]),
                    (r, failed) => r.MapResult((ProxyBootOptions o) => ProxyCommands.BootAsync(_cli, o), (NoVerb _) => Task.FromResult(2), failed)),
                _ => await Run(args, "", p => p.ParseArguments(args, typeof(PlanOptions), typeof(ApplyOptions), typeof(StatusOptions), typeof(LogsOptions), typeof(FlipOptions),
                        typeof(RollbackOptions), typeof(AppListOptions), typeof(DestroyOptions), typeof(ServeOptions), typeof(GroupNoun), typeof(InstanceNoun), typeof(PluginNoun), typeof(ProxyNoun)),
                    (r, failed) => r.MapResult(
                        (PlanOptions o) => AppCommands.PlanAsync(_cli, o),
                        (ApplyOptions o) => AppCommands.ApplyAsync(_cli, o),
                        (StatusOptions o) => AppCommands.StatusAsync(_cli, o),
                        (LogsOptions o) => AppCommands.LogsAsync(_cli, o),
                        (FlipOptions o) => AppCommands.FlipAsync(_cli, o),
                        (RollbackOptions o) => AppCommands.RollbackAsync(_cli, o),
                        (AppListOptions o) => AppCommands.ListAsync(_cli, o),
                        (DestroyOptions o) => AppCommands.DestroyAsync(_cli, o),
                        (ServeOptions o) => ServeCommand.RunAsync(_cli, o),
                        (GroupNoun _) => Task.FromResult(2),
                        (InstanceNoun _) => Task.FromResult(2),
                        (PluginNoun _) => Task.FromResult(2),
                        (ProxyNoun _) => Task.FromResult(2),
                        failed)),
            };
        }
        catch (DeployException e)
        {
            foreach (var d in e.Diagnostics)
            {
                _cli.Error.WriteLine(d.ToString());
            }

            if (e.Details is not null && args.Contains("--verbose"))
            {
                _cli.Error.WriteLine(e.Details);
            }

            return e.ExitCode;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            _cli.Error.WriteLine($"deploy: error {Errors.OperationFailed.Id}: cancelled; what was live stays live, run the command again to converge");
            return 1;
        }
        catch (Exception e) when (env("DEPLOY_DEBUG") != "1")
        {
            // Never .NET's own words alone: say what was being done; the details only on request.
            var command = string.Join(' ', args.TakeWhile(a => !a.StartsWith('-')).Take(2));
            _cli.Error.WriteLine($"deploy: error {Errors.OperationFailed.Id}: '{command}' failed unexpectedly: {e.Message.Split('\n')[0]}; " +
                                 "what was live stays live, run the command again (add --verbose for details)");
            if (args.Contains("--verbose"))
            {
                _cli.Error.WriteLine(e.ToString());
            }

            return 1;
        }
    }

    // Help and version requests are written by the parser itself (to stdout) and are successes; anything else it
    // rejects is bad input, reported in the canonical form with the verb's own usage (exit 2).
    private async Task<int> Run(string[] args, string prefix, Func<Parser, ParserResult<object>> parse,
        Func<ParserResult<object>, Func<IEnumerable<Error>, Task<int>>, Task<int>> map)
    {
        var helpOrVersion = IsHelpOrVersion(args);
        using var parser = new Parser(s =>
        {
            s.HelpWriter = helpOrVersion ? _cli.Out : null;
            s.AutoVersion = true;
            s.AutoHelp = true;
            s.CaseSensitive = true;
            s.EnableDashDash = true;
            s.AllowMultiInstance = true;
        });
        var result = parse(parser);
        return await map(result, errors => Task.FromResult(
            errors.All(e => e is HelpRequestedError or HelpVerbRequestedError or VersionRequestedError)
                ? 0
                : Rendering.ParseFailure.Report(result, errors, args, prefix, _cli.Error)));
    }

    private static bool IsHelpOrVersion(string[] args) =>
        args.Any(a => a is "--help" or "help" or "--version" or "version");

    [Verb("__none", Hidden = true)]
    private sealed class NoVerb
    {
    }
}
