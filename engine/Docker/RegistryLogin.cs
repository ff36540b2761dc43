using System.Text.Json;
using Deploy.Engine.Diagnostics;
using Deploy.Engine.Spec;

namespace Deploy.Engine.Docker;

/// <summary>
/// A registry login given in a spec (<c>RegistryAuth</c>): a user name and a password or token, usually secret vars.
/// Handed to the engine with each pull, in the request's X-Registry-Auth header; never written anywhere.
/// </summary>
public sealed record RegistryLogin(string Username, string Password)
{
    private const string Example = "e.g. {\"Username\": \"{{var.registry_user}}\", \"Password\": \"{{var.registry_password}}\"}";

    /// <summary>The user, never the password.</summary>
    public override string ToString() => $"user {Username}";

    /// <summary>The <c>RegistryAuth</c> object of <paramref name="properties"/>; null when absent or wrong (reported).</summary>
    public static RegistryLogin? Read(JsonElement properties, string path, DiagnosticBag bag)
    {
        if (!JsonReading.TryGet(properties, "RegistryAuth", out var auth))
        {
            return null;
        }

        var at = JsonReading.ChildPath(properties, path, "RegistryAuth");
        if (!JsonReading.Object(auth, at, bag, Example))
        {
            return null;
        }

        JsonReading.KnownFields(auth, at, bag, "Username", "Password");
        var user = JsonReading.String(auth, at, "Username", bag, required: true, $"give the registry user; {Example}");
        var password = JsonReading.String(auth, at, "Password", bag, required: true, $"give the password or token, from a secret var; {Example}");
        return user is null || password is null ? null : new RegistryLogin(user, password);
    }
}
