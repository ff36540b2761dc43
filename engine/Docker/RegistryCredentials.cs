using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Deploy.Engine.Diagnostics;
using Docker.DotNet.Models;

namespace Deploy.Engine.Docker;

/// <summary>
/// The login a pull from a registry uses, found as the docker CLI finds it: the spec's <c>RegistryAuth</c> first, else the
/// Docker config file (<c>$DOCKER_CONFIG/config.json</c>, default <c>~/.docker/config.json</c>): its <c>credHelpers</c>
/// entry for the registry, else its <c>credsStore</c>, asked through <c>docker-credential-NAME get</c> when installed,
/// else its <c>auths</c> entry. Kept in memory only, for the pull's request.
/// </summary>
public static class RegistryCredentials
{
    /// <summary>The name Docker Hub's logins are stored under.</summary>
    public const string DockerHub = "https://index.docker.io/v1/";

    /// <summary>The registry host of <paramref name="repository"/>: its first part when that names a host, else Docker Hub.</summary>
    public static string RegistryOf(string repository)
    {
        var slash = repository.IndexOf('/');
        var first = slash < 0 ? "" : repository[..slash];
        return first.Contains('.') || first.Contains(':') || first == "localhost" ? first : DockerHub;
    }

    /// <summary>The login for pulling <paramref name="repository"/>; null for an anonymous pull.</summary>
    public static AuthConfig? For(string repository, RegistryLogin? login, Func<string, string?>? environment = null)
    {
        var registry = RegistryOf(repository);
        if (login is not null)
        {
            return new AuthConfig { Username = login.Username, Password = login.Password, ServerAddress = registry };
        }

        environment ??= Environment.GetEnvironmentVariable;
        var folder = environment("DOCKER_CONFIG") is { Length: > 0 } given ? given : Path.Combine(UserPaths.Home(environment), ".docker");
        var file = Path.Combine(folder, "config.json");
        if (!File.Exists(file))
        {
            return null;
        }

        JsonDocument config;
        try
        {
            config = JsonDocument.Parse(File.ReadAllText(file));
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
        {
            throw new DeployException(Errors.PluginFailed, $"cannot read the Docker config file {file} for the login to {registry}: {e.GetType().Name}; fix or remove it, or give RegistryAuth");
        }

        using (config)
        {
            var root = config.RootElement;
            if (Entry(root, "credHelpers", registry) is { ValueKind: JsonValueKind.String } helper)
            {
                return FromHelper(helper.GetString()!, registry, environment);
            }

            if (root.TryGetProperty("credsStore", out var store) && store.ValueKind == JsonValueKind.String && store.GetString() is { Length: > 0 } name
                && FindHelper(name, environment) is not null)
            {
                return FromHelper(name, registry, environment);
            }

            return Entry(root, "auths", registry) is { ValueKind: JsonValueKind.Object } auth ? FromAuths(auth, registry, file) : null;
        }
    }

    // The entry for the registry, also under the URL forms 'docker login' has written over the years.
    private static JsonElement? Entry(JsonElement root, string section, string registry)
    {
        if (!root.TryGetProperty(section, out var entries) || entries.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        foreach (var key in new[] { registry, $"https://{registry}", $"http://{registry}", $"https://{registry}/v1/", $"https://{registry}/v2/" })
        {
            if (entries.TryGetProperty(key, out var value))
            {
                return value;
            }
        }

        return null;
    }

    private static AuthConfig? FromAuths(JsonElement auth, string registry, string file)
    {
        string? Text(string name) => auth.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        if (Text("identitytoken") is { Length: > 0 } token)
        {
            return new AuthConfig { IdentityToken = token, ServerAddress = registry };
        }

        if (Text("auth") is { Length: > 0 } encoded)
        {
            string pair;
            try
            {
                pair = Encoding.UTF8.GetString(Convert.FromBase64String(encoded));
            }
            catch (FormatException)
            {
                throw new DeployException(Errors.PluginFailed, $"the login for {registry} in {file} is not base64 of user:password; run 'docker login {registry}' again");
            }

            var colon = pair.IndexOf(':');
            return colon < 0 ? null : new AuthConfig { Username = pair[..colon], Password = pair[(colon + 1)..], ServerAddress = registry };
        }

        return Text("username") is { } user && Text("password") is { } password
            ? new AuthConfig { Username = user, Password = password, ServerAddress = registry }
            : null;
    }

    // A credential helper speaks on stdin/stdout: the registry in, {"Username", "Secret"} out. Run as argv, never a shell.
    private static AuthConfig? FromHelper(string name, string registry, Func<string, string?> environment)
    {
        var program = FindHelper(name, environment) ?? throw new DeployException(Errors.PluginFailed,
            $"the Docker config file names credential helper docker-credential-{name} for {registry}, and it is not installed here; install it, or give RegistryAuth");
        var start = new ProcessStartInfo(program) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("get");
        using var process = Process.Start(start)!;
        process.StandardInput.Write(registry);
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(30_000))
        {
            process.Kill(entireProcessTree: true);
            throw new DeployException(Errors.PluginFailed, $"docker-credential-{name} did not answer within 30 s for {registry}");
        }

        if (process.ExitCode != 0)
        {
            return null; // "credentials not found": an anonymous pull, as the docker CLI does
        }

        string user, secret;
        try
        {
            using var answer = JsonDocument.Parse(output.Result);
            user = answer.RootElement.GetProperty("Username").GetString() ?? "";
            secret = answer.RootElement.GetProperty("Secret").GetString() ?? "";
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new DeployException(Errors.PluginFailed, $"docker-credential-{name} answered something that is not {{\"Username\", \"Secret\"}} for {registry}");
        }

        return user == "<token>"
            ? new AuthConfig { IdentityToken = secret, ServerAddress = registry }
            : new AuthConfig { Username = user, Password = secret, ServerAddress = registry };
    }

    private static string? FindHelper(string name, Func<string, string?> environment) =>
        (environment("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, "docker-credential-" + name)).FirstOrDefault(File.Exists);
}
