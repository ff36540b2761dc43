using System.Text.Json;
using Deploy.Engine.Diagnostics;
using Deploy.Engine.Spec;
using Deploy.Engine.State;

namespace Deploy.Engine.Plugins.Proxy.File;

/// <summary>
/// The embedded default proxy: the route is a JSON file <c>{App, Colour, ConfigHash, Servers, Backups, Updated}</c> that
/// a real proxy (or a script) can watch. Properties: <c>Path</c> (required; relative to the spec's folder).
/// </summary>
public sealed class FileProxyPlugin : IProxyPlugin
{
    private const string Fix = "e.g. \"Properties\": {\"Path\": \"route.json\"}";
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public string Name => "proxy-file";

    public string Description => "Writes the live route to a JSON file (Path)";

    public IEnumerable<Diagnostic> Validate(JsonElement? properties, string path)
    {
        var bag = new DiagnosticBag();
        Read(properties, path, bag);
        return bag.Items;
    }

    /// <summary>Reads the file; null when it does not exist. Calling it twice reads twice.</summary>
    public async Task<ProxyRoute?> CurrentAsync(ProxyTarget target, CancellationToken cancellationToken)
    {
        var file = FileOf(target);
        byte[] bytes;
        try
        {
            bytes = await System.IO.File.ReadAllBytesAsync(file, cancellationToken);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }

        try
        {
            var record = JsonSerializer.Deserialize<RouteRecord>(bytes);
            if (record is { App.Length: > 0, Servers: not null, Backups: not null })
            {
                if (record.Format > State.StateFormat.Current)
                {
                    throw State.StateFormat.Newer($"the route file {file}", record.Format);
                }

                return new ProxyRoute(record.App, record.Colour, record.ConfigHash, record.Servers, record.Backups);
            }
        }
        catch (JsonException)
        {
            // Reported below with the same message as a file of the wrong shape.
        }

        throw new DeployException(Errors.PluginFailed,
            $"{Name}: {file} is not a route file {{App, Colour, ConfigHash, Servers, Backups}}; fix it, or delete it and deploy again", file);
    }

    /// <summary>Writes the route atomically; applying the same route twice only refreshes <c>Updated</c>.</summary>
    public Task ApplyAsync(ProxyTarget target, ProxyRoute route, CancellationToken cancellationToken)
    {
        var record = new RouteRecord
        {
            App = route.App,
            Colour = route.Colour,
            ConfigHash = route.ConfigHash,
            Servers = route.Servers.ToList(),
            Backups = route.Backups.ToList(),
            Updated = DateTimeOffset.UtcNow,
            Format = State.StateFormat.Current,
        };
        AtomicFile.Write(FileOf(target), JsonSerializer.Serialize(record, Json) + "\n");
        return Task.CompletedTask;
    }

    private string FileOf(ProxyTarget target)
    {
        var bag = new DiagnosticBag();
        var file = Read(target.Properties, "$.Properties", bag);
        bag.ThrowIfErrors();
        return ProxyProperties.Resolve(file!, target.BaseDirectory);
    }

    private static string? Read(JsonElement? properties, string path, DiagnosticBag bag)
    {
        if (!JsonReading.Object(properties, path, bag, Fix))
        {
            return null;
        }

        ProxyProperties.RejectUnknown(properties!.Value, path, bag, "Path");
        return ProxyProperties.FilePath(properties.Value, path, "Path", bag, required: true, Fix);
    }

    private sealed class RouteRecord
    {
        public string App { get; set; } = "";
        public string? Colour { get; set; }
        public string? ConfigHash { get; set; }
        public List<string>? Servers { get; set; }
        public List<string>? Backups { get; set; }
        public DateTimeOffset Updated { get; set; }

        // Missing in files written before formats were recorded: those are format 1.
        public int Format { get; set; } = 1;
    }
}
