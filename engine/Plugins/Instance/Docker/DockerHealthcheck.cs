using System.Text.Json;
using Deploy.Engine.Diagnostics;
using Deploy.Engine.Spec;
using Docker.DotNet.Models;

namespace Deploy.Engine.Plugins.Instance.Docker;

/// <summary>
/// The <c>Healthcheck</c> property: the container's HEALTHCHECK, as in a Dockerfile. Unset fields keep Docker's defaults
/// (interval 30s, timeout 30s, 3 retries, no start period).
/// </summary>
public sealed record DockerHealthcheck
{
    /// <summary>Required. <c>["CMD", argv...]</c>, <c>["CMD-SHELL", "command"]</c> or <c>["NONE"]</c>; <c>{{port}}</c> is replaced.</summary>
    public required IReadOnlyList<string> Test { get; init; }

    /// <summary>Optional. Time between two checks.</summary>
    public TimeSpan? Interval { get; init; }

    /// <summary>Optional. How long one check may run before it counts as failed.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>Optional. Consecutive failures that make the container unhealthy.</summary>
    public int? Retries { get; init; }

    /// <summary>Optional. Time after start during which failures do not count.</summary>
    public TimeSpan? StartPeriod { get; init; }

    private const string Example = "e.g. {\"Test\": [\"CMD\", \"nc\", \"-z\", \"127.0.0.1\", \"{{port}}\"], \"Interval\": \"2s\", \"Retries\": 3}";

    /// <summary>The healthcheck Docker runs for the instance listening on <paramref name="port"/>.</summary>
    public HealthcheckConfig ToConfig(int port) => new()
    {
        Test = Test.Select(t => DockerProperties.WithPort(t, port)).ToList(),
        Interval = Interval,
        Timeout = Timeout,
        Retries = Retries,
        StartPeriod = StartPeriod,
    };

    /// <summary>Reads <c>Healthcheck</c> under <paramref name="path"/>; null when absent or wrong (and reported).</summary>
    public static DockerHealthcheck? Read(JsonElement p, string path, DiagnosticBag bag)
    {
        if (!JsonReading.TryGet(p, "Healthcheck", out var v))
        {
            return null;
        }

        var at = JsonReading.ChildPath(p, path, "Healthcheck");
        if (!JsonReading.Object(v, at, bag, Example))
        {
            return null;
        }

        var before = bag.Items.Count;
        JsonReading.KnownFields(v, at, bag, "Test", "Interval", "Timeout", "Retries", "StartPeriod");
        var test = ReadTest(v, at, bag);
        var interval = Positive(v, at, "Interval", bag);
        var timeout = Positive(v, at, "Timeout", bag);
        var startPeriod = JsonReading.Duration(v, at, "StartPeriod", bag);
        var retries = JsonReading.Int(v, at, "Retries", bag, min: 0);
        if (bag.Items.Skip(before).Any(d => d.Severity == Severity.Error))
        {
            return null;
        }

        return new DockerHealthcheck { Test = test!, Interval = interval, Timeout = timeout, Retries = retries, StartPeriod = startPeriod };
    }

    private static List<string>? ReadTest(JsonElement v, string at, DiagnosticBag bag)
    {
        var here = JsonReading.ChildPath(v, at, "Test");
        const string fix = "start with \"CMD\" and the argv, e.g. [\"CMD\", \"nc\", \"-z\", \"127.0.0.1\", \"{{port}}\"], or \"CMD-SHELL\" and one shell command";
        if (!JsonReading.TryGet(v, "Test", out var value))
        {
            bag.Add(Errors.Missing, here, $"is required; {fix}");
            return null;
        }

        var test = DockerProperties.ReadArgv(value, here, bag, fix);
        if (test is null || test.Count == 0)
        {
            return null;
        }

        var problem = test[0] switch
        {
            "NONE" when test.Count == 1 => null,
            "NONE" => "[\"NONE\"] takes nothing after it",
            "CMD" when test.Count >= 2 => null,
            "CMD-SHELL" when test.Count == 2 => null,
            "CMD" or "CMD-SHELL" => $"\"{test[0]}\" needs {(test[0] == "CMD" ? "the program and its arguments" : "exactly one shell command")} after it",
            _ => $"\"{test[0]}\" is not CMD, CMD-SHELL or NONE",
        };
        if (problem is not null)
        {
            bag.Add(Errors.InvalidValue, here, $"{problem}; {fix}");
            return null;
        }

        return test;
    }

    // Docker refuses an interval or timeout under 1ms (0 means its default, which is what leaving it out says).
    private static TimeSpan? Positive(JsonElement v, string at, string name, DiagnosticBag bag)
    {
        var value = JsonReading.Duration(v, at, name, bag);
        if (value is { } d && d < TimeSpan.FromMilliseconds(1))
        {
            bag.Add(Errors.OutOfRange, JsonReading.ChildPath(v, at, name), $"must be at least 1ms (was {Duration.Format(d)}); leave it out for Docker's default");
            return null;
        }

        return value;
    }
}
