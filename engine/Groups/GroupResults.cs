namespace Deploy.Engine.Groups;

/// <summary>One instance as <c>inspect</c> and <c>instance describe</c> show it.</summary>
public sealed record MemberView(string Id, string? LogicalId, IReadOnlyDictionary<string, string> Tags, Plugins.Instance.Endpoint? Endpoint = null);

/// <summary>A committed group in <c>group ls</c>: its size and how many instances it has now.</summary>
public sealed record GroupSummary(string Id, int Desired, int Instances, string InstancePlugin, string FlavorPlugin);

/// <summary>The outcome of describe (dry run), watch or update: the plan sentence and whether anything changed.</summary>
public sealed record GroupChange(string GroupId, string Plan, bool Changed, string ConfigHash);
