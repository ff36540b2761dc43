using System.Text.Json;
using Deploy.Engine.Diagnostics;
using Deploy.Engine.Json;
using Deploy.Engine.Spec;

namespace Deploy.Engine.Docker;

/// <summary>
/// A <c>Mounts</c> property: bind mounts written as Docker writes them, <c>"SOURCE:TARGET[:ro|:rw]"</c>. Sources are
/// paths on the Docker host, which may be another machine, so they are never resolved against the spec's folder.
/// Shared by every plugin that creates containers.
/// </summary>
public static class BindMounts
{
    /// <summary>The mounts under <paramref name="path"/> (none when absent), every problem recorded in <paramref name="bag"/>.</summary>
    public static List<string> Read(JsonElement obj, string path, DiagnosticBag bag)
    {
        var mounts = new List<string>();
        if (!JsonReading.TryGet(obj, "Mounts", out var list))
        {
            return mounts;
        }

        var at = JsonReading.ChildPath(obj, path, "Mounts");
        if (list.ValueKind != JsonValueKind.Array)
        {
            bag.Add(Errors.WrongType, at, $"must be an array of \"SOURCE:TARGET[:ro]\" strings (was {JsonReading.Describe(list)}); e.g. [\"/srv/shop/nginx.conf:/etc/nginx/nginx.conf:ro\"]");
            return mounts;
        }

        var i = 0;
        foreach (var item in list.EnumerateArray())
        {
            var itemPath = JsonPath.Index(at, i++);
            if (item.ValueKind != JsonValueKind.String)
            {
                bag.Add(Errors.WrongType, itemPath, $"must be a string \"SOURCE:TARGET[:ro]\" (was {JsonReading.Describe(item)})");
                continue;
            }

            var text = item.GetString()!;
            if (Problem(text) is { } problem)
            {
                bag.Add(Errors.InvalidValue, itemPath, problem);
            }
            else
            {
                mounts.Add(text);
            }
        }

        return mounts;
    }

    private static string? Problem(string text)
    {
        var parts = text.Split(':');
        if (parts.Length is < 2 or > 3 || parts.Take(2).Any(string.IsNullOrWhiteSpace) || parts.Length == 3 && parts[2] is not ("ro" or "rw"))
        {
            return $"must be \"SOURCE:TARGET\" or \"SOURCE:TARGET:ro\" (was \"{text}\"); e.g. \"/srv/shop/nginx.conf:/etc/nginx/nginx.conf:ro\"";
        }

        if (!parts[0].StartsWith('/'))
        {
            return $"the source \"{parts[0]}\" must be an absolute path on the Docker host (it is not resolved against the spec's folder: the engine may be " +
                   $"another machine); e.g. \"/srv/shop/{parts[0].TrimStart('.', '/')}:{string.Join(':', parts[1..])}\"";
        }

        return parts[1].StartsWith('/') ? null : $"the target \"{parts[1]}\" must be an absolute path inside the container; e.g. \"{parts[0]}:/data\"";
    }
}
