using System.Text;
using Deploy.Action.Runner;
using Deploy.Engine.BlueGreen;

namespace Deploy.Action.GitHub;

/// <summary>The pull request comment holding an app's plan, found again by a hidden marker naming the app.</summary>
internal static class PlanComment
{
    /// <summary>The HTML comment that identifies this app's plan comment; invisible on GitHub.</summary>
    public static string Marker(string app) => $"<!-- deploy-action plan: {app} -->";

    /// <summary>The comment's Markdown: marker, heading, the plan lines and how it would end.</summary>
    public static string Render(DeployResult plan, string? sha)
    {
        var text = new StringBuilder();
        text.AppendLine(Marker(plan.App));
        text.AppendLine($"### Deploy plan for `{plan.App}`" + (sha is null ? "" : $" at {sha[..Math.Min(7, sha.Length)]}"));
        text.AppendLine();
        text.Append(JobSummaryMarkdown.PlanTable(plan.Plan));
        text.AppendLine();
        text.AppendLine($"**{JobSummaryMarkdown.Cell(plan.Summary)}**");
        return text.ToString();
    }
}
