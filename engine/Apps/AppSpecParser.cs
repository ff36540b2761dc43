using System.Text.Json;
using System.Text.Json.Nodes;
using Deploy.Engine.Diagnostics;
using Deploy.Engine.Json;
using Deploy.Engine.Spec;
using static Deploy.Engine.Spec.JsonReading;

namespace Deploy.Engine.Apps;

/// <summary>Reads an app spec's structure, collecting every error with its path. Values are resolved later per colour.</summary>
public static class AppSpecParser
{
    /// <summary>The default proxy when a spec names none: a JSON file in the state folder.</summary>
    public static readonly PluginSpec DefaultProxy = new("proxy-file", null);

    /// <summary>Reads the whole app spec at the document root.</summary>
    public static AppSpec? Parse(JsonElement root, DiagnosticBag bag)
    {
        if (!Object(root, "$", bag, "an app spec is {\"ID\": ..., \"Colours\": {...}, \"Group\": {...}}"))
        {
            return null;
        }

        FiniteNumbers(root, "$", bag);
        KnownFields(root, "$", bag, "ID", "Vars", "Colours", "Group", "Health", "Verify", "Proxy", "Hooks", "Secrets", "Standby", "$schema");
        var id = String(root, "$", "ID", bag, required: true, "name the app, e.g. \"ID\": \"shop\"");
        if (id is not null)
        {
            GroupSpecParser.CheckId(id, ChildPath(root, "$", "ID"), bag);
        }

        var vars = ReadVars(root, bag);
        var (colours, patches) = ReadColours(root, bag);
        var group = ReadObject(root, "Group", bag, required: true, "give the group's Allocation, Instance and Flavor");
        var health = ReadObject(root, "Health", bag, required: false, "e.g. {\"Path\": \"/healthz\"}",
            "Path", "Interval", "Timeout", "HealthyThreshold", "Deadline");
        var verify = ReadObject(root, "Verify", bag, required: false, "e.g. {\"Path\": \"/version\", \"Expect\": \"{{var.version}}\"}",
            "Path", "Expect", "Contains", "Duration");
        var proxy = ReadProxy(root, bag);
        var hooks = ReadHooks(root, bag);
        var secrets = ReadSecrets(root, vars, bag);
        var standby = ReadStandby(root, bag);
        return id is null || group is null || colours.Count != 2
            ? null
            : new AppSpec(id, vars, colours, patches, group, health, verify, proxy, hooks, secrets, standby);
    }

    private static Dictionary<string, string> ReadVars(JsonElement root, DiagnosticBag bag)
    {
        var vars = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!TryGet(root, "Vars", out var v))
        {
            return vars;
        }

        var path = ChildPath(root, "$", "Vars");
        if (v.ValueKind != JsonValueKind.Object)
        {
            bag.Add(Errors.WrongType, path, "must be an object of names to values, e.g. {\"version\": \"1.0.0\"}");
            return vars;
        }

        foreach (var p in v.EnumerateObject())
        {
            switch (p.Value.ValueKind)
            {
                case JsonValueKind.String: vars[p.Name] = p.Value.GetString()!; break;
                case JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False: vars[p.Name] = p.Value.GetRawText(); break;
                default: bag.Add(Errors.WrongType, JsonPath.Child(path, p.Name), $"must be a string, number or boolean (was {Describe(p.Value)})"); break;
            }
        }

        return vars;
    }

    private static (List<string>, Dictionary<string, JsonNode?>) ReadColours(JsonElement root, DiagnosticBag bag)
    {
        var names = new List<string>();
        var patches = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        var path = ChildPath(root, "$", "Colours");
        if (!TryGet(root, "Colours", out var c))
        {
            names.AddRange(["blue", "green"]);
            patches["blue"] = null;
            patches["green"] = null;
            return (names, patches);
        }

        if (c.ValueKind != JsonValueKind.Object)
        {
            bag.Add(Errors.WrongType, path, "must be an object naming two colours, e.g. {\"blue\": {}, \"green\": {}}");
            return (names, patches);
        }

        foreach (var p in c.EnumerateObject())
        {
            var at = JsonPath.Child(path, p.Name);
            GroupSpecParser.CheckId(p.Name, at, bag);
            if (p.Value.ValueKind is not (JsonValueKind.Object or JsonValueKind.Null))
            {
                bag.Add(Errors.WrongType, at, "must be an object: a JSON merge patch applied to Group for this colour");
                continue;
            }

            names.Add(p.Name);
            patches[p.Name] = JsonNode.Parse(p.Value.GetRawText());
        }

        if (names.Count != 2)
        {
            bag.Add(Errors.InvalidValue, path, $"must name exactly two colours (found {names.Count}), e.g. {{\"blue\": {{}}, \"green\": {{}}}}");
        }

        return (names, patches);
    }

    private static JsonObject? ReadObject(JsonElement root, string name, DiagnosticBag bag, bool required, string fix, params string[] known)
    {
        var path = ChildPath(root, "$", name);
        if (!TryGet(root, name, out var v))
        {
            if (required)
            {
                bag.Add(Errors.Missing, path, $"is required; {fix}");
            }

            return null;
        }

        if (!Object(v, path, bag, fix))
        {
            return null;
        }

        if (known.Length > 0)
        {
            KnownFields(v, path, bag, known);
        }

        return (JsonObject)JsonNode.Parse(v.GetRawText())!;
    }

    private static PluginSpec ReadProxy(JsonElement root, DiagnosticBag bag)
    {
        if (!TryGet(root, "Proxy", out var p))
        {
            return DefaultProxy;
        }

        var path = ChildPath(root, "$", "Proxy");
        if (!Object(p, path, bag, "e.g. {\"Plugin\": \"proxy-nginx\", \"Properties\": {...}}"))
        {
            return DefaultProxy;
        }

        KnownFields(p, path, bag, "Plugin", "Properties");
        var plugin = String(p, path, "Plugin", bag, required: true, "name the proxy plugin, e.g. \"proxy-nginx\"");
        JsonElement? properties = TryGet(p, "Properties", out var pp) ? pp.Clone() : null;
        return new PluginSpec(plugin ?? "", properties);
    }

    private static AppHooks ReadHooks(JsonElement root, DiagnosticBag bag)
    {
        if (!TryGet(root, "Hooks", out var h))
        {
            return AppHooks.None;
        }

        var path = ChildPath(root, "$", "Hooks");
        if (!Object(h, path, bag, "e.g. {\"BeforeFlip\": [\"./smoke-test.sh\"]}"))
        {
            return AppHooks.None;
        }

        KnownFields(h, path, bag, "BeforeFlip", "AfterFlip", "OnRollback");
        return new AppHooks(Commands(h, path, "BeforeFlip", bag), Commands(h, path, "AfterFlip", bag), Commands(h, path, "OnRollback", bag));
    }

    // A hook is one argv (["./smoke.sh", "--fast"]) or a list of argvs ([["./a.sh"], ["./b.sh"]]).
    private static List<IReadOnlyList<string>> Commands(JsonElement hooks, string parent, string name, DiagnosticBag bag)
    {
        var list = new List<IReadOnlyList<string>>();
        if (!TryGet(hooks, name, out var v))
        {
            return list;
        }

        var path = ChildPath(hooks, parent, name);
        if (v.ValueKind == JsonValueKind.Array && v.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String))
        {
            var argv = v.EnumerateArray().Select(e => e.GetString()!).ToList();
            if (argv.Count > 0)
            {
                list.Add(argv);
            }

            return list;
        }

        if (v.ValueKind == JsonValueKind.Array && v.EnumerateArray().All(e => e.ValueKind == JsonValueKind.Array && e.GetArrayLength() > 0 && e.EnumerateArray().All(s => s.ValueKind == JsonValueKind.String)))
        {
            list.AddRange(v.EnumerateArray().Select(e => (IReadOnlyList<string>)e.EnumerateArray().Select(s => s.GetString()!).ToList()));
            return list;
        }

        bag.Add(Errors.WrongType, path, "must be one command as an argv array, e.g. [\"./smoke-test.sh\", \"--quick\"], or a list of such arrays");
        return list;
    }

    private static List<string> ReadSecrets(JsonElement root, Dictionary<string, string> vars, DiagnosticBag bag)
    {
        var list = new List<string>();
        if (!TryGet(root, "Secrets", out var s))
        {
            return list;
        }

        var path = ChildPath(root, "$", "Secrets");
        if (s.ValueKind != JsonValueKind.Array)
        {
            bag.Add(Errors.WrongType, path, "must be an array of var names, e.g. [\"db_password\"]");
            return list;
        }

        var i = 0;
        foreach (var e in s.EnumerateArray())
        {
            var at = JsonPath.Index(path, i++);
            if (e.ValueKind != JsonValueKind.String || string.IsNullOrEmpty(e.GetString()))
            {
                bag.Add(Errors.WrongType, at, "must be a var name");
                continue;
            }

            var name = e.GetString()!;
            if (vars.ContainsKey(name))
            {
                bag.Add(Errors.InvalidValue, JsonPath.Child(ChildPath(root, "$", "Vars"), name),
                    $"\"{name}\" is a secret: remove its value from the spec and pass it with --var {name}=... or DEPLOY_VAR_{name}");
            }

            list.Add(name);
        }

        return list;
    }

    private static StandbySpec ReadStandby(JsonElement root, DiagnosticBag bag)
    {
        if (!TryGet(root, "Standby", out var s))
        {
            return new StandbySpec();
        }

        var path = ChildPath(root, "$", "Standby");
        if (Object(s, path, bag, "e.g. {\"Keep\": true, \"DrainTimeout\": \"5s\"}"))
        {
            KnownFields(s, path, bag, "Keep", "DrainTimeout");
        }

        return s.ValueKind == JsonValueKind.Object
            ? new StandbySpec(Bool(s, path, "Keep", bag) ?? true, JsonReading.Duration(s, path, "DrainTimeout", bag))
            : new StandbySpec();
    }
}
