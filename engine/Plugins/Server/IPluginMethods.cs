namespace Deploy.Engine.Plugins.Server;

/// <summary>The methods one plugin socket answers: InfraKit's paths for one plugin kind over one Deploy plugin.</summary>
internal interface IPluginMethods
{
    /// <summary>The paths this socket answers, for the message that names them when another is asked.</summary>
    IReadOnlyList<string> Methods { get; }

    /// <summary>
    /// Runs <paramref name="method"/> (e.g. <c>Instance.Destroy</c>) with the path's <paramref name="id"/> (null when the path
    /// has none) on the request <paramref name="body"/>; null when this socket has no such method. Errors are thrown.
    /// </summary>
    Task<PluginResponse?> CallAsync(string method, string? id, byte[] body, CancellationToken cancellationToken);
}
