using Docker.DotNet;
using Docker.DotNet.Models;

namespace Deploy.Engine.Docker;

/// <summary>What a command run inside a container printed, and how it exited.</summary>
public sealed record ExecResult(long ExitCode, string Stdout, string Stderr)
{
    /// <summary>True when the command exited 0.</summary>
    public bool Succeeded => ExitCode == 0;

    /// <summary>One line for messages: the exit code and the end of stderr (else stdout).</summary>
    public string Describe(IReadOnlyList<string> argv)
    {
        var text = (Stderr.Trim().Length > 0 ? Stderr : Stdout).Trim();
        if (text.Length > 400)
        {
            text = "..." + text[^400..];
        }

        return $"'{string.Join(' ', argv)}' exited {ExitCode}" + (text.Length > 0 ? $": {text}" : "");
    }
}

/// <summary>
/// Runs a command inside a running container through the exec API, as argv (never through a shell built from strings),
/// and reads the file a container holds through the archive API.
/// </summary>
public static class ContainerExec
{
    /// <summary>Runs <paramref name="argv"/> in container <paramref name="container"/> and waits for it to exit.</summary>
    public static async Task<ExecResult> RunAsync(DockerClient client, string container, IReadOnlyList<string> argv, CancellationToken cancellationToken)
    {
        var exec = await client.Exec.CreateContainerExecAsync(container, new ContainerExecCreateParameters
        {
            Cmd = argv.ToList(),
            AttachStdout = true,
            AttachStderr = true,
        }, cancellationToken);
        using var stream = await client.Exec.StartContainerExecAsync(exec.ID, new ContainerExecStartParameters(), cancellationToken);
        var (stdout, stderr) = await stream.ReadOutputToEndAsync(cancellationToken);
        var inspect = await client.Exec.InspectContainerExecAsync(exec.ID, cancellationToken);
        return new ExecResult(inspect.ExitCode ?? -1, stdout, stderr);
    }
}
