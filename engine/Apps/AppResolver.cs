using System.Text.Json;
using System.Text.Json.Nodes;
using Deploy.Engine.Diagnostics;
using Deploy.Engine.Hashing;
using Deploy.Engine.Json;
using Deploy.Engine.Plugins;
using Deploy.Engine.Plugins.Proxy;
using Deploy.Engine.Spec;
using Deploy.Engine.Validation;

namespace Deploy.Engine.Apps;

/// <summary>
/// Loads an app spec and resolves it per colour: merge patch, placeholders, validation, config hash.
/// The hash is taken after patches and vars, before per-instance values such as <c>{{port}}</c>.
/// </summary>
public static class AppResolver
{
    private static readonly string[] PortScope = ["$.Group.Instance.Properties", "$.Group.Orchestrator.Properties"];

    /// <summary>
    /// Loads and resolves <paramref name="file"/>; every error is reported at once, located in the file. Each name in
    /// <paramref name="givenVars"/> (the vars the user passed on this command) must be declared in Vars or Secrets or
    /// used in a <c>{{var.NAME}}</c> placeholder: a misspelled <c>--var</c> would otherwise deploy the default silently.
    /// </summary>
    public static ResolvedApp Load(
        string file, IReadOnlyDictionary<string, string> overrides, Func<string, string?> env, PluginRegistry plugins, string stateDirectory,
        bool requireSecrets = true, IEnumerable<string>? givenVars = null)
    {
        var source = JsonSource.Load(file);
        var bag = new DiagnosticBag();
        var spec = AppSpecParser.Parse(source.Root, bag);
        if (spec is null)
        {
            throw new DeployException(source.Locate(bag.Items));
        }

        CheckGivenVars(source.Root, spec, givenVars ?? [], bag);
        var vars = new Dictionary<string, string>(spec.Vars, StringComparer.Ordinal);
        foreach (var (k, v) in overrides)
        {
            vars[k] = v;
        }

        var secretValues = new List<string>();
        foreach (var name in spec.Secrets)
        {
            var value = overrides.GetValueOrDefault(name) ?? env($"DEPLOY_VAR_{name}");
            if (value is null && !requireSecrets)
            {
                vars[name] = ""; // commands that only read (status, flip) need no secret values
                continue;
            }

            if (value is null)
            {
                bag.Add(Errors.Missing, JsonPath.Index(JsonReading.ChildPath(source.Root, "$", "Secrets"), spec.Secrets.ToList().IndexOf(name)),
                    $"secret \"{name}\" has no value; pass --var {name}=... or set DEPLOY_VAR_{name}");
                continue;
            }

            vars[name] = value;
            if (value.Length > 0)
            {
                secretValues.Add(value);
            }
        }

        var baseDir = Path.GetDirectoryName(Path.GetFullPath(file))!;
        var colours = spec.Colours.Select(c => ResolveColour(spec, c, vars, baseDir, plugins, bag)).ToList();
        var proxy = ResolveProxy(spec, vars, plugins, bag, out var url);
        CapabilityValidator.Check(spec, colours.OfType<ColourSpec>().ToList(), proxy, plugins, bag);
        var unique = bag.Items.DistinctBy(d => (d.Path, d.Message)).ToList();
        if (unique.Any(d => d.Severity == Severity.Error))
        {
            throw new DeployException(source.Locate(unique));
        }

        var target = proxy == AppSpecParser.DefaultProxy
            ? new ProxyTarget(JsonDocument.Parse($"{{\"Path\": {JsonSerializer.Serialize(Path.Combine("proxy", spec.Id + ".json"))}}}").RootElement, stateDirectory)
            : new ProxyTarget(proxy.Properties, baseDir);
        return new ResolvedApp(spec, file, baseDir, vars, secretValues, colours!, proxy, target, url);
    }

    /// <summary>The var every app knows: the version its instances are tagged with (<c>deploy.version</c>).</summary>
    public const string VersionVar = "version";

    private static void CheckGivenVars(JsonElement root, AppSpec spec, IEnumerable<string> given, DiagnosticBag bag)
    {
        // "version" is always the engine's own: every instance carries it as its deploy.version tag, used or not.
        var known = spec.Vars.Keys.Concat(spec.Secrets).Concat(Placeholders.VarNames(root)).Append(VersionVar).Distinct(StringComparer.Ordinal).ToList();
        foreach (var name in given.Where(n => !known.Contains(n, StringComparer.Ordinal)).Order(StringComparer.Ordinal))
        {
            bag.Add(new Diagnostic(Errors.InvalidArgument,
                $"--var {name}: {Suggest.Unknown("var", name, known)}; the spec neither declares it in Vars or Secrets nor uses {{{{var.{name}}}}}"));
        }
    }

    private static ColourSpec? ResolveColour(AppSpec spec, string colour, Dictionary<string, string> vars, string baseDir, PluginRegistry plugins, DiagnosticBag bag)
    {
        var values = Values(spec.Id, colour, vars);
        // No patch (Colours left out, or a colour given as null) is the group as written, not a removed group.
        var patched = spec.ColourPatches.GetValueOrDefault(colour) is { } patch ? MergePatch.Apply(spec.Group, patch) : spec.Group.DeepClone();
        var group = patched!.DeepClone();
        new Placeholders(values).Resolve(group, "$.Group", bag, PortScope);

        // The committed copy keeps secrets as placeholders, so they never reach disk in clear.
        var templated = patched.DeepClone();
        var withoutSecrets = new Dictionary<string, string>(values);
        foreach (var name in spec.Secrets)
        {
            withoutSecrets[$"var.{name}"] = $"{{{{var.{name}}}}}";
        }

        new Placeholders(withoutSecrets).Resolve(templated, "$.Group", new DiagnosticBag(), PortScope);

        var element = JsonSerializer.SerializeToElement(group);
        var properties = GroupSpecParser.ParseProperties(element, "$.Group", bag);
        if (properties is null)
        {
            return null;
        }

        GroupValidator.Validate(properties, "$.Group", plugins, bag);
        var groupId = ResolvedApp.GroupId(spec.Id, colour);
        var tags = new Dictionary<string, string>
        {
            [ProxyRoute.AppTag] = spec.Id, [ProxyRoute.ColourTag] = colour, ["deploy.version"] = vars.GetValueOrDefault(VersionVar, ""),
        };
        var committed = new JsonObject
        {
            ["ID"] = groupId,
            ["Properties"] = templated,
            ["Secrets"] = new JsonArray(spec.Secrets.Select(s => (JsonNode)s!).ToArray()),
            ["Tags"] = new JsonObject(tags.Select(t => KeyValuePair.Create(t.Key, (JsonNode?)t.Value))),
            ["BaseDirectory"] = baseDir,
        };
        return new ColourSpec(
            colour,
            new GroupSpec(groupId, properties) { BaseDirectory = baseDir },
            ConfigHash.Compute(properties),
            committed.ToJsonString(),
            ChecksParser.Health(Resolve(spec.Health, "$.Health", values, bag), bag),
            ChecksParser.Verify(Resolve(spec.Verify, "$.Verify", values, bag), bag),
            new AppHooks(Argvs(spec.Hooks.BeforeFlip, "BeforeFlip", values, bag), Argvs(spec.Hooks.AfterFlip, "AfterFlip", values, bag),
                Argvs(spec.Hooks.OnRollback, "OnRollback", values, bag)),
            tags);
    }

    private static PluginSpec ResolveProxy(AppSpec spec, Dictionary<string, string> vars, PluginRegistry plugins, DiagnosticBag bag, out string? url)
    {
        url = null;
        if (spec.Proxy == AppSpecParser.DefaultProxy)
        {
            return spec.Proxy;
        }

        var values = Values(spec.Id, colour: null, vars);
        var node = spec.Proxy.Properties is { } p ? JsonNode.Parse(p.GetRawText()) : null;
        new Placeholders(values).Resolve(node, "$.Proxy.Properties", bag);
        var properties = node is null ? (JsonElement?)null : JsonSerializer.SerializeToElement(node);
        var plugin = plugins.FindProxy(spec.Proxy.Plugin);
        if (plugin is null)
        {
            bag.Add(Errors.UnknownPlugin, "$.Proxy.Plugin", plugins.UnknownMessage("proxy", spec.Proxy.Plugin));
        }
        else
        {
            bag.AddRange(plugin.Validate(properties, "$.Proxy.Properties"));
        }

        if (properties is { ValueKind: JsonValueKind.Object } o && JsonReading.TryGet(o, "Url", out var u) && u.ValueKind == JsonValueKind.String)
        {
            url = u.GetString();
        }

        return new PluginSpec(spec.Proxy.Plugin, properties);
    }

    private static JsonObject? Resolve(JsonObject? section, string path, Dictionary<string, string> values, DiagnosticBag bag)
    {
        if (section is null)
        {
            return null;
        }

        var copy = (JsonObject)section.DeepClone();
        new Placeholders(values).Resolve(copy, path, bag);
        return copy;
    }

    private static List<IReadOnlyList<string>> Argvs(IReadOnlyList<IReadOnlyList<string>> commands, string name, Dictionary<string, string> values, DiagnosticBag bag) =>
        commands.Select((argv, i) => (IReadOnlyList<string>)argv.Select(a => new Placeholders(values).Substitute(a, $"$.Hooks.{name}", bag)).ToList()).ToList();

    private static Dictionary<string, string> Values(string app, string? colour, Dictionary<string, string> vars)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal) { ["app"] = app };
        if (colour is not null)
        {
            values["colour"] = colour;
        }

        foreach (var (k, v) in vars)
        {
            values[$"var.{k}"] = v;
        }

        return values;
    }
}
