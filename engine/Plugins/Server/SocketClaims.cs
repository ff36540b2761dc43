using System.Net.Sockets;
using System.Text;
using Deploy.Engine.Diagnostics;

namespace Deploy.Engine.Plugins.Server;

/// <summary>
/// The socket files of <c>deploy plugin serve</c>: where they go, whether a path may be taken (a live listener refuses, a
/// stale socket file is replaced, anything else is left alone), and their removal on exit.
/// </summary>
public static class SocketClaims
{
    // sun_path holds 108 bytes with its terminating NUL: a longer path cannot be bound at all.
    private const int MaxPathBytes = 107;

    /// <summary>The plugins folder: <paramref name="dir"/>, else where discovery looks (<c>INFRAKIT_PLUGINS_DIR</c>, else <c>~/.infrakit/plugins</c>).</summary>
    public static string Directory(string? dir, Func<string, string?> env) =>
        dir is null ? Socket.PluginSockets.From(env).Directory : Path.GetFullPath(dir);

    /// <summary>
    /// Makes every path free to bind: refuses (exit 2) one held by a live listener, one that is not a socket, or one too long
    /// for a socket; deletes a socket file nobody listens on (left by a serve that was killed). Checks all before deleting any.
    /// </summary>
    public static void Claim(IReadOnlyList<string> paths)
    {
        var problems = new List<Diagnostic>();
        var stale = new List<string>();
        foreach (var path in paths)
        {
            if (Encoding.UTF8.GetByteCount(path) > MaxPathBytes)
            {
                problems.Add(Refusal(path, $"is {Encoding.UTF8.GetByteCount(path)} bytes, longer than a unix socket path may be ({MaxPathBytes}); choose a shorter --dir"));
            }
            else if (System.IO.Directory.Exists(path))
            {
                problems.Add(Refusal(path, "is a folder, not a plugin socket; move it away or choose another --dir"));
            }
            else if (File.Exists(path))
            {
                switch (Probe(path))
                {
                    case State.Live:
                        problems.Add(Refusal(path, "is held by a running plugin server (another 'deploy plugin serve' or an InfraKit plugin); stop it, or serve into another folder with --dir"));
                        break;
                    case State.NotSocket:
                        problems.Add(Refusal(path, "exists and is not a socket; move it away or choose another --dir"));
                        break;
                    default:
                        stale.Add(path);
                        break;
                }
            }
        }

        if (problems.Count > 0)
        {
            throw new DeployException(problems);
        }

        foreach (var path in stale)
        {
            File.Delete(path);
        }
    }

    /// <summary>Deletes the socket files this server bound. Deleting one already gone is harmless.</summary>
    public static void Remove(IEnumerable<string> paths)
    {
        foreach (var path in paths)
        {
            File.Delete(path);
        }
    }

    private static Diagnostic Refusal(string path, string why) => new(Errors.InvalidArgument, $"--dir: {path} {why}");

    private enum State
    {
        Live,
        Stale,
        NotSocket,
    }

    private static State Probe(string path)
    {
        if (!Socket.PluginSockets.IsSocket(path))
        {
            return State.NotSocket; // a file of someone else's: never deleted
        }

        using var socket = new System.Net.Sockets.Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Connect(new UnixDomainSocketEndPoint(path));
            return State.Live;
        }
        catch (SocketException)
        {
            return State.Stale; // nobody listens: left by a serve that was killed
        }
    }
}
