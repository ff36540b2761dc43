using System.Text.Json;
using Deploy.Engine.Diagnostics;
using Deploy.Engine.Events;
using Deploy.Engine.Plugins;
using Deploy.Engine.Plugins.Instance;

namespace Deploy.Tests.Support;

/// <summary>
/// The file plugin under the name <c>instance-addressed</c>, declaring that its instances have endpoints: resolver tests
/// use it to keep free-form instance properties beside Health and Verify, which need that ability.
/// </summary>
public sealed class AddressedFilePlugin(string directory) : IInstancePlugin, IInstanceEndpoints
{
    private readonly FileInstancePlugin _files = new(directory, NullEvents.Instance);

    public string Name => "instance-addressed";

    public string Description => "instance-file, declaring endpoints (tests)";

    public IEnumerable<Diagnostic> Validate(JsonElement? properties, string path) => _files.Validate(properties, path);

    public Task<string> ProvisionAsync(InstanceSpec spec, CancellationToken cancellationToken) => _files.ProvisionAsync(spec, cancellationToken);

    public Task DestroyAsync(string instanceId, CancellationToken cancellationToken) => _files.DestroyAsync(instanceId, cancellationToken);

    public Task<IReadOnlyList<InstanceDescription>> DescribeAsync(IReadOnlyDictionary<string, string> tags, CancellationToken cancellationToken) =>
        _files.DescribeAsync(tags, cancellationToken);
}
