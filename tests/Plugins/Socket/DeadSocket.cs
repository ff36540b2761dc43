using System.Diagnostics;

namespace Deploy.Tests.Plugins.Socket;

/// <summary>A unix socket file with nothing listening on it: what a crashed plugin leaves behind.</summary>
public sealed class DeadSocket : IDisposable
{
    private DeadSocket(string path) => Path = path;

    /// <summary>The socket file.</summary>
    public string Path { get; }

    /// <summary>
    /// Binds a socket at <paramref name="path"/> and exits, leaving the file. Done by python3 because .NET deletes the
    /// file of a unix socket it bound when the socket is disposed.
    /// </summary>
    public static DeadSocket Create(string path)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        var info = new ProcessStartInfo("python3") { UseShellExecute = false };
        foreach (var arg in new[] { "-c", "import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])", path })
        {
            info.ArgumentList.Add(arg);
        }

        using var python = Process.Start(info)!;
        python.WaitForExit();
        python.ExitCode.ShouldBe(0);
        return new DeadSocket(path);
    }

    public void Dispose() => File.Delete(Path);
}
