namespace Deploy.Engine.Plugins.Instance.Docker;

/// <summary>One container of the plugin as <c>deploy status</c> shows it.</summary>
/// <param name="Id">The container's short ID (12 hex digits), as <c>docker ps</c> shows it.</param>
/// <param name="Name">The container's name, which is also the instance's ID.</param>
/// <param name="Image">The image as the spec named it, e.g. <c>registry.example.com/shop:1.2.0</c>.</param>
/// <param name="ImageId">The ID of the image the container runs (<c>sha256:…</c>).</param>
/// <param name="ImageDigest">The image's registry digest (<c>repo@sha256:…</c>) when it came from a registry; null for a local image.</param>
/// <param name="State">Docker's state word: created, running, paused, restarting, exited, dead.</param>
/// <param name="Health">The health Docker reports.</param>
/// <param name="Endpoint">Where the instance answers.</param>
public sealed record ContainerInfo(
    string Id,
    string Name,
    string Image,
    string ImageId,
    string? ImageDigest,
    string State,
    InstanceHealth Health,
    Endpoint? Endpoint);
