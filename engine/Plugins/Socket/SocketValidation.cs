using System.Text.Json;
using Deploy.Engine.Diagnostics;

namespace Deploy.Engine.Plugins.Socket;

/// <summary>The checks every socket plugin shares: a plugin's Validate call, and Deploy's capability extension.</summary>
internal static class SocketValidation
{
    /// <summary>The JSON <c>null</c>, sent as the body when a section has no properties (what InfraKit's client sends).</summary>
    public static readonly JsonElement Null = JsonDocument.Parse("null").RootElement.Clone();

    /// <summary>The extension call: <c>POST /Deploy.Capabilities</c> answering <c>{"Endpoints": true}</c>.</summary>
    public const string CapabilitiesPath = "/Deploy.Capabilities";

    /// <summary>
    /// Calls a Validate endpoint synchronously (validation is synchronous across the engine) within
    /// <see cref="SocketRpc.Quick"/>. A 400/500 <c>{"error"}</c> answer is the plugin refusing the user's properties:
    /// bad input (DEPLOY1007, exit 2) at <paramref name="path"/>. An unreachable or silent plugin throws (exit 1).
    /// </summary>
    public static IEnumerable<Diagnostic> Run(SocketRpc rpc, string call, object body, string path)
    {
        var answer = rpc.Send(call, body, SocketRpc.Quick);
        if (answer.Status == 200)
        {
            return [];
        }

        if (answer.Status is 400 or 500 && answer.ErrorMessage() is { } message)
        {
            return [new Diagnostic(Errors.InvalidValue,
                $"plugin {rpc.Plugin} (socket {rpc.SocketPath}) refused these properties: \"{message}\"; change them as the plugin says", Path: path)];
        }

        throw rpc.Failed(call, answer.Describe(), "the plugin does not follow InfraKit's protocol for Validate; fix or update the plugin");
    }

    /// <summary>
    /// Deploy's extension abilities, asked once per plugin and command. Plain InfraKit plugins answer 404 (or anything
    /// but a well-formed 200): they have none. A plugin that cannot be reached has none either; its other calls say why.
    /// </summary>
    public static WireCapabilities Capabilities(SocketRpc rpc)
    {
        try
        {
            var answer = rpc.Send(CapabilitiesPath, new { }, SocketRpc.Quick);
            return answer.Status == 200 ? rpc.Parse<WireCapabilities>(CapabilitiesPath, answer.Body) ?? new(false) : new(false);
        }
        catch (DeployException)
        {
            return new(false);
        }
    }
}
