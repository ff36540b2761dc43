using System.Text;

namespace Deploy.Engine.Commands;

/// <summary>Reads a stream to its end keeping only the last <c>limit</c> characters, so a chatty command cannot exhaust memory.</summary>
internal sealed class OutputTail(int limit)
{
    private readonly StringBuilder _text = new();
    private readonly Lock _gate = new();
    private bool _truncated;

    /// <summary>Copies <paramref name="reader"/> until its end; safe to abandon (the caller stops waiting, the text so far stays readable).</summary>
    public async Task PumpAsync(StreamReader reader)
    {
        var buffer = new char[8192];
        int read;
        while ((read = await reader.ReadAsync(buffer)) > 0)
        {
            lock (_gate)
            {
                _text.Append(buffer, 0, read);
                if (_text.Length > limit)
                {
                    _text.Remove(0, _text.Length - limit);
                    _truncated = true;
                }
            }
        }
    }

    /// <summary>The text kept so far, marked when the beginning was dropped.</summary>
    public override string ToString()
    {
        lock (_gate)
        {
            return _truncated ? "[…earlier output dropped…]\n" + _text : _text.ToString();
        }
    }
}
