using System.Runtime.InteropServices;
using System.Text;

namespace Hello;

/// <summary>
/// The <c>POST /counter</c> side effect: one line per applied request id, appended to a file that every instance of
/// both colours shares, so a test can count how often each id was applied.
/// </summary>
public sealed partial class Counter(string path)
{
    // Linux open(2) flags. .NET's FileMode.Append seeks to the end and then writes, which is not atomic across
    // processes; O_APPEND makes each write(2) land at the end of the file whoever else is writing.
    private const int OWronly = 0x1;
    private const int OCreat = 0x40;
    private const int OAppend = 0x400;
    private const int OCloexec = 0x80000;

    private long _applied;

    /// <summary>The file the ids are appended to.</summary>
    public string Path { get; } = path;

    /// <summary>Appends <paramref name="id"/> as one line with one write; returns how many ids this instance applied.</summary>
    public long Apply(string id)
    {
        var line = Encoding.UTF8.GetBytes(id + "\n");
        var fd = Open(Path, OWronly | OCreat | OAppend | OCloexec, 0b110_100_100);
        if (fd < 0)
        {
            throw new IOException($"cannot open {Path} (errno {Marshal.GetLastPInvokeError()})");
        }

        try
        {
            // A single write of a short line to a regular file is never split by the kernel.
            if (Write(fd, line, line.Length) != line.Length)
            {
                throw new IOException($"cannot append to {Path} (errno {Marshal.GetLastPInvokeError()})");
            }
        }
        finally
        {
            _ = Close(fd);
        }

        return Interlocked.Increment(ref _applied);
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags, int mode);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    private static partial nint Write(int fd, byte[] buffer, nint count);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);
}
