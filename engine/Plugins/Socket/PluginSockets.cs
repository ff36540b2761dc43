using System.Runtime.InteropServices;
using Deploy.Engine.Docker;

namespace Deploy.Engine.Plugins.Socket;

/// <summary>
/// InfraKit's plugin discovery: every unix socket in one folder is a plugin named after the file; other files are
/// skipped. The folder is <c>INFRAKIT_PLUGINS_DIR</c>, else <c>&lt;home&gt;/.infrakit/plugins</c>. The folder is read at
/// each lookup, so a plugin started after Deploy (e.g. while <c>deploy serve</c> runs) is found.
/// </summary>
public sealed class PluginSockets(string directory)
{
    /// <summary>The environment variable naming the folder, as InfraKit reads it.</summary>
    public const string DirectoryVariable = "INFRAKIT_PLUGINS_DIR";

    /// <summary>The folder searched for sockets (it need not exist).</summary>
    public string Directory { get; } = Path.GetFullPath(directory);

    /// <summary>The folder <paramref name="environment"/> names: <c>INFRAKIT_PLUGINS_DIR</c>, else <c>~/.infrakit/plugins</c>.</summary>
    public static PluginSockets From(Func<string, string?> environment) =>
        new(environment(DirectoryVariable) is { Length: > 0 } dir
            ? dir
            : Path.Combine(UserPaths.Home(environment), ".infrakit", "plugins"));

    /// <summary>The socket path of plugin <paramref name="name"/>, or null when there is no socket of that name.</summary>
    public string? Find(string name)
    {
        // A name with a separator would look outside the folder: never a plugin.
        if (name.Length == 0 || name.Contains('/') || name is "." or "..")
        {
            return null;
        }

        var path = Path.Combine(Directory, name);
        return IsSocket(path) ? path : null;
    }

    /// <summary>Every plugin socket as (name, path), sorted by name; empty when the folder is missing.</summary>
    public IReadOnlyList<(string Name, string Path)> List()
    {
        if (!System.IO.Directory.Exists(Directory))
        {
            return [];
        }

        return System.IO.Directory.EnumerateFileSystemEntries(Directory)
            .Where(IsSocket)
            .Select(p => (Name: Path.GetFileName(p), Path: p))
            .OrderBy(p => p.Name, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>Whether <paramref name="path"/> is a unix socket file (never opens it: a FIFO would block).</summary>
    // .NET reports no file type beyond file/directory/link, so the type comes from stat(2): S_IFSOCK in st_mode.
    public static bool IsSocket(string path)
    {
        const uint typeMask = 0xF000, socketType = 0xC000;
        var buffer = new byte[256];
        if (Stat(path, buffer) != 0)
        {
            return false;
        }

        // st_mode's offset in struct stat: after dev, ino and nlink on x86-64; after dev and ino on the generic 64-bit layout (arm64).
        var offset = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 24 : 16;
        return (BitConverter.ToUInt32(buffer, offset) & typeMask) == socketType;
    }

    [DllImport("libc", EntryPoint = "stat")]
    private static extern int Stat([MarshalAs(UnmanagedType.LPUTF8Str)] string path, byte[] buffer);
}
