using CommandLine;

namespace Deploy.Cli.Options;

[Verb("serve", HelpText = "Serve the built-in instance and flavor plugins and the group plugin on unix sockets, InfraKit's way, until stopped (SIGINT/SIGTERM).")]
public sealed class PluginServeOptions : CommonOptions
{
    [Option("dir", HelpText = "Folder of the plugin sockets (env INFRAKIT_PLUGINS_DIR; default ~/.infrakit/plugins).")]
    public string? Dir { get; set; }
}
