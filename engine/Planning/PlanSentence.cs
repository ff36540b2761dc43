namespace Deploy.Engine.Planning;

/// <summary>Renders a <see cref="GroupPlan"/> as InfraKit's sentences, with singular and plural right.</summary>
public static class PlanSentence
{
    /// <summary>The sentence for <paramref name="plan"/>.</summary>
    public static string Describe(GroupPlan plan)
    {
        if (plan.IsNoop)
        {
            return "Noop";
        }

        if (plan.IsNewGroup && plan.ToDestroy.Count == 0 && plan.ToRoll.Count == 0)
        {
            return $"Managing {Instances(plan.ToAdd.Count)}";
        }

        var parts = new List<string>();
        if (plan.ToDestroy.Count > 0)
        {
            parts.Add(plan.ToAdd.Count == 0
                ? $"terminates {Instances(plan.ToDestroy.Count)} to reduce the group size to {plan.DesiredSize}"
                : $"terminates {Instances(plan.ToDestroy.Count)} outside the group's logical IDs");
        }

        if (plan.ToRoll.Count > 0)
        {
            parts.Add($"performs a rolling update on {Instances(plan.ToRoll.Count)}");
        }

        if (plan.ToAdd.Count > 0)
        {
            parts.Add($"adds {Instances(plan.ToAdd.Count)} to increase the group size to {plan.DesiredSize}");
        }

        var text = string.Join(", then ", parts);
        return char.ToUpperInvariant(text[0]) + text[1..];
    }

    /// <summary><c>1 instance</c>, <c>2 instances</c>.</summary>
    public static string Instances(int n) => n == 1 ? "1 instance" : $"{n} instances";
}
