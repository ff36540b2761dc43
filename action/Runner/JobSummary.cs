using System.Text;
using Deploy.Engine.BlueGreen;
using Deploy.Engine.Diagnostics;

namespace Deploy.Action.Runner;

/// <summary>
/// The Markdown appended to <c>GITHUB_STEP_SUMMARY</c>: the app, live colour before and after, version, the plan
/// as a table, each step with its duration, and the result (or the errors).
/// </summary>
internal static class JobSummaryMarkdown
{
    /// <summary>The summary of a command that returned a result.</summary>
    public static string Render(string command, DeployResult result, long? deploymentId)
    {
        var text = new StringBuilder();
        text.AppendLine($"## deploy {command}: `{result.App}`");
        text.AppendLine();
        text.AppendLine("| | |");
        text.AppendLine("| --- | --- |");
        text.AppendLine($"| Live colour before | {result.PreviousColour ?? "none"} |");
        text.AppendLine($"| Live colour after | {result.LiveColour ?? "none"} |");
        text.AppendLine($"| Version | {Cell(result.Version ?? "unversioned")} |");
        text.AppendLine($"| Changed | {(result.Changed ? "yes" : "no")} |");
        text.AppendLine($"| Result | {Cell(result.Summary)} |");
        if (deploymentId is not null)
        {
            text.AppendLine($"| GitHub deployment | {deploymentId} |");
        }

        text.AppendLine();
        if (result.Plan.Count > 0)
        {
            text.AppendLine("### Plan");
            text.AppendLine();
            text.Append(PlanTable(result.Plan));
            text.AppendLine();
        }

        if (result.Steps.Count > 0)
        {
            text.AppendLine("### Steps");
            text.AppendLine();
            text.AppendLine("| Step | Duration | Detail |");
            text.AppendLine("| --- | ---: | --- |");
            foreach (var step in result.Steps)
            {
                text.AppendLine($"| {Cell(step.Name)} | {Seconds(step.Duration)} | {Cell(step.Detail)} |");
            }

            text.AppendLine();
        }

        return text.ToString();
    }

    /// <summary>The summary of <c>status</c>.</summary>
    public static string Render(AppStatus status)
    {
        var text = new StringBuilder();
        text.AppendLine($"## deploy status: `{status.App}`");
        text.AppendLine();
        text.AppendLine("| Colour | Role | Version | Instances |");
        text.AppendLine("| --- | --- | --- | --- |");
        foreach (var c in status.Colours)
        {
            text.AppendLine($"| {c.Colour} | {c.Role} | {Cell(c.Version ?? "-")} | {c.Instances.Count(i => i.Health == "healthy")}/{c.Instances.Count} healthy |");
        }

        text.AppendLine();
        return text.ToString();
    }

    /// <summary>The summary of a command that failed before it had a result.</summary>
    public static string RenderFailure(string command, string? app, string headline, IReadOnlyList<Diagnostic> diagnostics)
    {
        var text = new StringBuilder();
        text.AppendLine($"## deploy {command}: {(app is null ? "failed" : $"`{app}` failed")}");
        text.AppendLine();
        text.AppendLine($"**{Cell(headline)}**");
        text.AppendLine();
        if (diagnostics.Count > 0)
        {
            text.AppendLine("| Where | Code | Problem |");
            text.AppendLine("| --- | --- | --- |");
            foreach (var d in diagnostics)
            {
                var where = d.File is null ? "-" : d.Line is null ? d.File : $"{d.File}:{d.Line}:{d.Column ?? 1}";
                text.AppendLine($"| {Cell(where)} | {d.Code.Id} | {Cell((d.Path is null ? "" : d.Path + ": ") + d.Message)} |");
            }

            text.AppendLine();
        }

        return text.ToString();
    }

    /// <summary>The plan lines as a numbered table.</summary>
    public static string PlanTable(IReadOnlyList<string> plan)
    {
        var text = new StringBuilder();
        text.AppendLine("| # | Plan |");
        text.AppendLine("| ---: | --- |");
        for (var i = 0; i < plan.Count; i++)
        {
            text.AppendLine($"| {i + 1} | {Cell(plan[i])} |");
        }

        return text.ToString();
    }

    /// <summary>Text safe inside a table cell: pipes escaped, line breaks as spaces.</summary>
    public static string Cell(string text) => text.Replace("|", "\\|").Replace("\r", "").Replace("\n", " ");

    private static string Seconds(TimeSpan d) => d.TotalSeconds.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture) + " s";
}
