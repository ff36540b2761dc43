namespace Deploy.Engine.Diagnostics;

/// <summary>
/// The one catalogue of diagnostic codes shared by every face (CLI, MSBuild, Action).
/// 1xxx: bad input (exit 2); 2xxx: locked (exit 3); 3xxx: operation failed (exit 1); 4xxx: warnings.
/// </summary>
public static class Errors
{
    public static readonly ErrorCode InvalidJson = new("DEPLOY1001", "The file is not valid JSON", 2);
    public static readonly ErrorCode Conflict = new("DEPLOY1002", "Fields that cannot be set together", 2);
    public static readonly ErrorCode OutOfRange = new("DEPLOY1003", "A number outside its allowed range", 2);
    public static readonly ErrorCode Missing = new("DEPLOY1004", "A required field is missing", 2);
    public static readonly ErrorCode WrongType = new("DEPLOY1005", "A value of the wrong JSON type", 2);
    public static readonly ErrorCode UnknownPlugin = new("DEPLOY1006", "No plugin of that name and kind", 2);
    public static readonly ErrorCode InvalidValue = new("DEPLOY1007", "A value the plugin or engine cannot use", 2);
    public static readonly ErrorCode UnknownPlaceholder = new("DEPLOY1008", "A {{placeholder}} that has no value", 2);
    public static readonly ErrorCode InvalidDuration = new("DEPLOY1009", "A duration not written as 500ms, 2s, 5m or 1h", 2);
    public static readonly ErrorCode Duplicate = new("DEPLOY1010", "A value listed twice", 2);
    public static readonly ErrorCode FileNotFound = new("DEPLOY1011", "The spec file does not exist or cannot be read", 2);
    public static readonly ErrorCode InvalidArgument = new("DEPLOY1012", "A command-line argument that cannot be used", 2);
    public static readonly ErrorCode UnknownName = new("DEPLOY1013", "No group or app of that name is known", 2);
    public static readonly ErrorCode AlreadyWatched = new("DEPLOY1014", "The group is already watched with another spec", 2);
    public static readonly ErrorCode InvalidId = new("DEPLOY1015", "An ID that cannot name files or tags", 2);
    public static readonly ErrorCode UnknownField = new("DEPLOY1016", "A field the spec format does not have", 2);

    public static readonly ErrorCode Locked = new("DEPLOY2001", "Another command holds the lock", 3);

    public static readonly ErrorCode OperationFailed = new("DEPLOY3001", "The operation failed", 1);
    public static readonly ErrorCode NotQuiescent = new("DEPLOY3002", "Instances did not become healthy before the deadline", 1);
    public static readonly ErrorCode PluginFailed = new("DEPLOY3003", "A plugin could not do what was asked", 1);
    public static readonly ErrorCode Refused = new("DEPLOY3004", "The command was refused", 1);

    public static readonly ErrorCode SkippedRecord = new("DEPLOY4001", "An instance record that cannot be read was skipped", 0, Severity.Warning);
    public static readonly ErrorCode StaleLock = new("DEPLOY4002", "A lock left by a dead process was taken over", 0, Severity.Warning);
    public static readonly ErrorCode ResumedUpdate = new("DEPLOY4003", "An interrupted update was found and is resumed", 0, Severity.Warning);
    public static readonly ErrorCode HookFailed = new("DEPLOY4004", "A hook that may fail exited non-zero", 0, Severity.Warning);

    /// <summary>Every code, in order, for documentation and tests.</summary>
    public static IReadOnlyList<ErrorCode> All { get; } =
    [
        InvalidJson, Conflict, OutOfRange, Missing, WrongType, UnknownPlugin, InvalidValue, UnknownPlaceholder,
        InvalidDuration, Duplicate, FileNotFound, InvalidArgument, UnknownName, AlreadyWatched, InvalidId, UnknownField,
        Locked, OperationFailed, NotQuiescent, PluginFailed, Refused,
        SkippedRecord, StaleLock, ResumedUpdate, HookFailed,
    ];
}
