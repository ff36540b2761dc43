using CommandLine;

namespace Deploy.Cli.Options;

[Verb("watch", HelpText = "Validate and commit a group spec, converge it now, and leave it to the controller.")]
public sealed class GroupWatchOptions : CommonOptions
{
    [Value(0, MetaName = "FILE", Required = true, HelpText = "Group spec (InfraKit format).")]
    public string File { get; set; } = "";
}

[Verb("inspect", HelpText = "List the members of a watched group.")]
public sealed class GroupInspectOptions : ReadOptions
{
    [Value(0, MetaName = "ID", Required = true, HelpText = "Group ID.")]
    public string Id { get; set; } = "";
}

[Verb("describe", HelpText = "Show what updating to FILE would do. Changes nothing.")]
public sealed class GroupDescribeOptions : ReadOptions
{
    [Value(0, MetaName = "FILE", Required = true, HelpText = "Group spec (InfraKit format).")]
    public string File { get; set; } = "";
}

[Verb("update", HelpText = "Commit a new spec for a watched group and roll its instances to it.")]
public sealed class GroupUpdateOptions : CommonOptions
{
    [Value(0, MetaName = "FILE", Required = true, HelpText = "Group spec (InfraKit format).")]
    public string File { get; set; } = "";

    [Option("poll-interval", Default = "1s", HelpText = "How often quiescence is re-checked.")]
    public string PollInterval { get; set; } = "1s";
}

[Verb("ls", HelpText = "List watched groups.")]
public sealed class GroupListOptions : ReadOptions
{
}

[Verb("free", HelpText = "Stop managing a group; its instances keep running.")]
public sealed class GroupFreeOptions : CommonOptions
{
    [Value(0, MetaName = "ID", Required = true, HelpText = "Group ID.")]
    public string Id { get; set; } = "";
}

[Verb("destroy", HelpText = "Destroy every member of a group and forget it.")]
public sealed class GroupDestroyOptions : CommonOptions
{
    [Value(0, MetaName = "ID", Required = true, HelpText = "Group ID.")]
    public string Id { get; set; } = "";
}

[Verb("describe", HelpText = "List the instances of an instance plugin, optionally filtered by tags.")]
public sealed class InstanceDescribeOptions : ReadOptions
{
    [Option("name", Required = true, HelpText = "Instance plugin name, e.g. instance-file.")]
    public string Name { get; set; } = "";

    [Option("tags", Separator = ',', HelpText = "Only instances carrying all these tags: k=v[,k=v...].")]
    public IEnumerable<string> Tags { get; set; } = [];
}

[Verb("ls", HelpText = "List the available plugins.")]
public sealed class PluginListOptions : ReadOptions
{
}

[Verb("serve", HelpText = "Run the controller: keep every watched group converged until stopped (SIGINT/SIGTERM).")]
public sealed class ServeOptions : CommonOptions
{
    [Option("poll-interval", Default = "10s", HelpText = "How often every group is reconciled, e.g. 10s.")]
    public string PollInterval { get; set; } = "10s";
}

/// <summary>Listed in the top-level help only; the noun's own verbs are parsed by <see cref="Program"/>.</summary>
[Verb("group", HelpText = "Manage groups: watch, describe, update, inspect, ls, free, destroy.")]
public sealed class GroupNoun
{
}

/// <summary>Listed in the top-level help only.</summary>
[Verb("instance", HelpText = "Query instance plugins: describe.")]
public sealed class InstanceNoun
{
}

/// <summary>Listed in the top-level help only.</summary>
[Verb("plugin", HelpText = "Plugins: ls, serve (InfraKit plugin sockets).")]
public sealed class PluginNoun
{
}
