using CommandLine;

namespace Deploy.Cli.Options;

/// <summary>Options every command accepts: where state lives and how the engine runs.</summary>
public abstract class CommonOptions
{
    [Option("state", HelpText = "State folder (env DEPLOY_STATE; default ./.deploy).")]
    public string? State { get; set; }

    [Option("file-dir", HelpText = "Folder of the instance-file plugin (env DEPLOY_FILE_DIR; default <state>/instances).")]
    public string? FileDir { get; set; }

    [Option("max-parallel", Default = 16, HelpText = "Instances provisioned or destroyed at once.")]
    public int MaxParallel { get; set; }

    [Option("verbose", HelpText = "After an unexpected failure (DEPLOY3001), also print its details.")]
    public bool Verbose { get; set; }
}

/// <summary>Options of read commands that can print JSON.</summary>
public abstract class ReadOptions : CommonOptions
{
    [Option("json", HelpText = "Print JSON (camelCase keys) instead of text.")]
    public bool Json { get; set; }
}
