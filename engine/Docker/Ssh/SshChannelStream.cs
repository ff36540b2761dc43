using Docker.DotNet.Handler.Abstractions;
using Renci.SshNet;

namespace Deploy.Engine.Docker.Ssh;

/// <summary>
/// One connection to a remote engine: the stdin and stdout of <c>docker system dial-stdio</c> run in an SSH exec channel,
/// as one duplex stream the Docker client speaks HTTP over. Closing the write side sends EOF (for attached execs);
/// disposing ends the command and frees the channel. When the command ends before it answered a byte, reading fails with
/// what it wrote on stderr (e.g. "docker: command not found", "permission denied ... docker.sock").
/// </summary>
internal sealed class SshChannelStream(SshCommand command, Task running, Stream input, SshTarget target, Action release) : WriteClosableStream
{
    private readonly Stream _output = command.OutputStream;
    private bool _answered;
    private int _disposed;

    public override bool CanCloseWrite => true;
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override void CloseWrite() => input.Dispose();

    public override int Read(byte[] buffer, int offset, int count) => Checked(_output.Read(buffer, offset, count));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        Checked(await _output.ReadAsync(buffer, cancellationToken));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) => input.Write(buffer, offset, count);

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await input.WriteAsync(buffer, cancellationToken);
        await input.FlushAsync(cancellationToken);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush() => input.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => input.FlushAsync(cancellationToken);

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            try
            {
                // Closing the channel is enough: an EOF sent as well can reach the server after it freed the channel,
                // and OpenSSH answers that with a protocol error that drops the whole connection.
                command.Dispose();
            }
            catch (Exception)
            {
                // The channel may already be gone with its session; nothing is left to free.
            }
            finally
            {
                release();
            }
        }

        base.Dispose(disposing);
    }

    private int Checked(int read)
    {
        if (read > 0)
        {
            _answered = true;
            return read;
        }

        if (!_answered)
        {
            // Ended without a byte: give the command a moment to report its exit, then say what it printed.
            try
            {
                running.Wait(TimeSpan.FromSeconds(2));
            }
            catch (AggregateException)
            {
                // Its failure is told below through what it printed.
            }

            var error = command.Error?.Trim();
            throw new IOException(
                $"'{target.DialCommand}' on {target} ended without answering (exit {command.ExitStatus?.ToString() ?? "unknown"}){(string.IsNullOrEmpty(error) ? "" : ": " + error)}; the docker CLI must be installed there and {target.User} must be allowed to use the engine's socket (e.g. in the docker group)");
        }

        return 0;
    }
}
