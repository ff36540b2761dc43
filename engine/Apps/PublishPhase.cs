using System.Text.Json;
using Deploy.Engine.Diagnostics;
using Deploy.Engine.Json;

namespace Deploy.Engine.Apps;

/// <summary>The two moments of <c>dotnet publish -p:DeployOnPublish=true</c> at which a spec may deploy.</summary>
public enum PublishPhase
{
    /// <summary>After the <c>Publish</c> target: the publish output exists (<c>{{var.publish_dir}}</c>); no image yet.</summary>
    Publish,

    /// <summary>After the <c>PublishContainer</c> target: the image is pushed (<c>{{var.image}}</c>).</summary>
    Container,
}

/// <summary>Whether a spec deploys in the phase asked about, and the line that says why (empty when there is nothing to say).</summary>
/// <param name="Deploys">True: deploy now.</param>
/// <param name="Message">What the build log says; empty for an ordinary publish-time deploy.</param>
/// <param name="Notable">True: the user must see it at the default verbosity.</param>
public sealed record PhaseDecision(bool Deploys, string Message, bool Notable);

/// <summary>
/// Decides from the spec, never from guesses about which targets a build runs, in which phase it deploys: a spec that
/// uses <c>{{var.image}}</c> anywhere needs the image that <c>PublishContainer</c> pushes, so it deploys after
/// PublishContainer and only then; any other spec deploys after <c>Publish</c> as it always did, and never again after
/// PublishContainer. So each spec deploys exactly once per publish, and a container spec never runs before its image exists.
/// </summary>
public static class PublishPhases
{
    /// <summary>The var holding the image PublishContainer pushed, e.g. <c>registry.example.com/shop@sha256:…</c>.</summary>
    public const string ImageVar = "image";

    /// <summary>The phase named <c>publish</c> or <c>container</c> (any case); anything else is DEPLOY1012.</summary>
    public static PublishPhase Parse(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        "publish" => PublishPhase.Publish,
        "container" => PublishPhase.Container,
        _ => throw new DeployException(Errors.InvalidArgument, $"Phase: \"{text}\" is not a publish phase; write publish or container"),
    };

    /// <summary>The phase the spec whose root is <paramref name="root"/> deploys in.</summary>
    public static PublishPhase Of(JsonElement root) =>
        Placeholders.VarNames(root).Contains(ImageVar, StringComparer.Ordinal) ? PublishPhase.Container : PublishPhase.Publish;

    /// <summary>
    /// Whether <paramref name="specFile"/> deploys in <paramref name="phase"/>. In the container phase
    /// <paramref name="image"/> is the image PublishContainer made; a container spec without one is DEPLOY1008. A missing
    /// file or invalid JSON is the same error a deploy would report.
    /// </summary>
    public static PhaseDecision Decide(string specFile, PublishPhase phase, string? image)
    {
        var root = JsonSource.Load(specFile).Root;
        var app = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("ID", out var id) && id.ValueKind == JsonValueKind.String
            ? id.GetString()!
            : Path.GetFileNameWithoutExtension(specFile);
        var spec = Path.GetFileName(specFile);
        var uses = $"{{{{var.{ImageVar}}}}}";
        return (phase, Of(root)) switch
        {
            (PublishPhase.Publish, PublishPhase.Publish) => new(true, "", Notable: false),
            (PublishPhase.Publish, _) => new(false,
                $"{app}: {spec} uses {uses}, so it deploys after PublishContainer, once the image is pushed; nothing was deployed after Publish. " +
                "To deploy it, publish with -t:PublishContainer", Notable: true),
            (_, PublishPhase.Publish) => new(false, $"{app}: {spec} does not use {uses}, so it deployed after Publish; nothing to deploy after PublishContainer", Notable: false),
            _ when string.IsNullOrWhiteSpace(image) => throw new DeployException(Errors.UnknownPlaceholder,
                $"{spec} uses {uses}, but PublishContainer made no image a Docker engine can pull: it was skipped (IsPublishable or " +
                "EnableSdkContainerSupport is false) or wrote a tarball (ContainerArchiveOutputPath); push to a registry (-p:ContainerRegistry=HOST) " +
                "or to the local Docker daemon, or name the image with -p:DeployImage=IMAGE", specFile),
            _ => new(true, image!.Contains('@', StringComparison.Ordinal)
                ? $"{app}: deploying image {image}"
                : $"{app}: deploying image {image} by tag: an image in the local Docker daemon (no ContainerRegistry) or a multi-platform one has no digest to deploy by",
                Notable: true),
        };
    }
}
