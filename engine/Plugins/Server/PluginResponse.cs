using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Deploy.Engine.Diagnostics;

namespace Deploy.Engine.Plugins.Server;

/// <summary>What a plugin socket answers to one request: the HTTP status and the JSON body (empty when the method returns nothing).</summary>
public sealed record PluginResponse(int Status, byte[] Body)
{
    /// <summary>InfraKit's answer to a plugin error (bad input, a refused or failed operation).</summary>
    public const int PluginError = 400;

    /// <summary>InfraKit's answer when the handler itself fails (a Go panic there; an unexpected exception here).</summary>
    public const int HandlerFailed = 500;

    // Relaxed, as Go's encoder writes text: the single quotes of the error envelope stay quotes, not \u0027.
    private static readonly JsonSerializerOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>200 with an empty body: the method returns nothing.</summary>
    public static PluginResponse Empty { get; } = new(200, []);

    /// <summary>200 with <paramref name="value"/> as JSON.</summary>
    public static PluginResponse Json(object value) => new(200, JsonSerializer.SerializeToUtf8Bytes(value, Options));

    /// <summary>
    /// InfraKit's error envelope <c>{"error": "message"}</c>. Its server writes the message with every double quote replaced
    /// by a single quote, and its client turns the message back into the error, so Deploy's diagnostics travel as they print.
    /// </summary>
    public static PluginResponse Error(int status, string message)
    {
        var text = JsonEncodedText.Encode(message.Replace('"', '\''), JavaScriptEncoder.UnsafeRelaxedJsonEscaping);
        return new(status, Encoding.UTF8.GetBytes($"{{\"error\": \"{text}\"}}"));
    }

    /// <summary>The error envelope of Deploy's diagnostics, one per line in their canonical form (location, code, JSON path, fix).</summary>
    public static PluginResponse Error(DeployException e) =>
        Error(PluginError, string.Join("\n", e.Diagnostics.Select(d => d.ToString())));
}
