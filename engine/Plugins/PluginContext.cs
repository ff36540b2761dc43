using Deploy.Engine.Docker;
using Deploy.Engine.Events;

namespace Deploy.Engine.Plugins;

/// <summary>
/// What plugins may use from their surroundings: the state folder, the file plugin's folder, where to report.
/// Secrets: values plugins may need at run time but must never write to disk in clear.
/// </summary>
public sealed record PluginContext(
    string StateDirectory,
    string FileDirectory,
    IDeployEvents Events)
{
    /// <summary>
    /// The Docker clients of every plugin that reaches Docker engines: one negotiated client per engine address, shared.
    /// Default a new set; the face that builds the context may dispose it when done.
    /// </summary>
    public DockerEngines Docker { get; init; } = new();

    /// <summary>
    /// Reads environment variables, e.g. <c>INFRAKIT_PLUGINS_DIR</c> and <c>HOME</c> for external plugins' sockets;
    /// default the process environment. Faces pass <see cref="Groups.EngineOptions.Environment"/>, so tests can set it.
    /// </summary>
    public Func<string, string?> Environment { get; init; } = System.Environment.GetEnvironmentVariable;

    /// <summary>The default file plugin folder: <c>&lt;state&gt;/instances</c>.</summary>
    public static string DefaultFileDirectory(string stateDirectory) => Path.Combine(stateDirectory, "instances");
}
