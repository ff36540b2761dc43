using Deploy.Engine.Docker;
using Docker.DotNet.Models;

namespace Deploy.Tests.Support;

/// <summary>What the remote-host tests look at on the engines directly (through their local sockets, not through Deploy).</summary>
public static class RemoteHostChecks
{
    /// <summary>The names of the containers on <paramref name="engine"/> whose name starts with <paramref name="prefix"/>.</summary>
    public static async Task<List<string>> ContainerNamesAsync(DockerHostAddress engine, string prefix)
    {
        using var engines = new DockerEngines();
        var client = await engines.ConnectAsync(engine, CancellationToken.None);
        var all = await client.Containers.ListContainersAsync(new ContainersListParameters { All = true });
        return all.SelectMany(c => c.Names).Select(n => n.TrimStart('/')).Where(n => n.StartsWith(prefix, StringComparison.Ordinal)).ToList();
    }

    /// <summary>Every label and environment value of the containers named <paramref name="prefix"/>*, and the files of those holding <paramref name="text"/>.</summary>
    public static async Task<List<string>> ContainersMentioningAsync(DockerHostAddress engine, string prefix, string text)
    {
        using var engines = new DockerEngines();
        var client = await engines.ConnectAsync(engine, CancellationToken.None);
        var found = new List<string>();
        foreach (var name in await ContainerNamesAsync(engine, prefix))
        {
            var inspect = await client.Containers.InspectContainerAsync(name);
            var values = (inspect.Config?.Labels ?? new Dictionary<string, string>()).Select(l => $"{l.Key}={l.Value}").Concat(inspect.Config?.Env ?? []);
            found.AddRange(values.Where(v => v.Contains(text, StringComparison.Ordinal)).Select(v => $"{name}: {v}"));
            if (inspect.Name.TrimStart('/').StartsWith("deploy-state-", StringComparison.Ordinal)
                && await ContainerFiles.ReadAsync(client, name, "/state/snapshot.json", CancellationToken.None) is { } snapshot
                && System.Text.Encoding.UTF8.GetString(snapshot).Contains(text, StringComparison.Ordinal))
            {
                found.Add($"{name}: /state/snapshot.json");
            }
        }

        return found;
    }

    /// <summary>The files under <paramref name="folder"/> that contain <paramref name="text"/>.</summary>
    public static List<string> Mentions(string folder, string text) =>
        Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .Where(f => File.ReadAllText(f).Contains(text, StringComparison.Ordinal)).ToList();

    /// <summary>Removes a container, if it is there.</summary>
    public static async Task RemoveContainerAsync(DockerHostAddress engine, string name)
    {
        using var engines = new DockerEngines();
        var client = await engines.ConnectAsync(engine, CancellationToken.None);
        try
        {
            await client.Containers.RemoveContainerAsync(name, new ContainerRemoveParameters { Force = true });
        }
        catch (Docker.DotNet.DockerContainerNotFoundException)
        {
        }
    }
}
