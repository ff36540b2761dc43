using Deploy.Cli.Options;
using Deploy.Cli.Rendering;
using Deploy.Engine.BlueGreen;
using Deploy.Engine.Events;
using Deploy.Engine.Groups;
using Deploy.Engine.Plugins;

namespace Deploy.Cli;

/// <summary>The wiring of one CLI invocation: its writers, environment, cancellation and engine options.</summary>
internal sealed class CliContext(TextWriter stdout, TextWriter stderr, Func<string, string?> env, CancellationToken cancellationToken)
{
    public TextWriter Out { get; } = stdout;

    public TextWriter Error { get; } = stderr;

    public CancellationToken Cancellation { get; } = cancellationToken;

    public Func<string, string?> Env { get; } = env;

    /// <summary>Engine options from the common flags, their environment variables and defaults.</summary>
    public EngineOptions Engine(CommonOptions options, bool json = false, TimeSpan? pollInterval = null)
    {
        var state = Path.GetFullPath(options.State ?? Env("DEPLOY_STATE") ?? ".deploy");
        return new EngineOptions(state)
        {
            FileDirectory = Path.GetFullPath(options.FileDir ?? Env("DEPLOY_FILE_DIR") ?? PluginContext.DefaultFileDirectory(state)),
            MaxParallel = options.MaxParallel,
            PollInterval = pollInterval ?? TimeSpan.FromSeconds(1),
            Events = new ConsoleEvents(json ? Error : Out, Error),
            Environment = Env,
        };
    }

    /// <summary>The group service for these options.</summary>
    public GroupService Groups(CommonOptions options, bool json = false, TimeSpan? pollInterval = null) =>
        AppService.Create(Engine(options, json, pollInterval)).Groups;

    /// <summary>The blue/green service for these options.</summary>
    public AppService Apps(CommonOptions options, bool json = false)
    {
        return AppService.Create(Engine(options, json));
    }
}
