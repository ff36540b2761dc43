using Deploy.Action.GitHub;
using Deploy.Action.Runner;
using Deploy.Engine.BlueGreen;
using Deploy.Engine.Diagnostics;
using Deploy.Engine.Events;
using Deploy.Engine.Groups;
using Deploy.Engine.Spec;

namespace Deploy.Action;

/// <summary>
/// One workflow step: masks the token and secrets first, reads the inputs, runs the blue/green command, records the
/// deployment and plan comment on GitHub, and renders outputs, job summary and annotations. Returns the exit code.
/// </summary>
internal sealed class ActionRunner(Func<string, string?> env, TextWriter stdout, Func<RunnerContext, string, IGitHubApi> connect)
{
    private readonly WorkflowCommands _log = new(stdout);
    private readonly List<string> _secrets = [];

    public async Task<int> RunAsync(CancellationToken ct)
    {
        // Nothing may print before the token is masked.
        Mask(ActionInputs.ReadToken(env));
        var ctx = RunnerContext.Read(env);
        var command = ActionInputs.Read(env, "command") ?? "apply";
        ActionInputs inputs;
        try
        {
            inputs = ActionInputs.Parse(env);
        }
        catch (DeployException e)
        {
            return Failed(ctx, command, null, e);
        }

        var spec = ctx.InWorkspace(inputs.Spec);
        var peek = SpecPeek.Read(spec);
        foreach (var name in peek.Secrets)
        {
            Mask(inputs.Vars.GetValueOrDefault(name) ?? env("DEPLOY_VAR_" + name));
        }

        var environment = inputs.Environment ?? peek.Id;
        var recorder = Recorder(ctx, inputs);
        using var state = StateFolder.Choose(inputs.State ?? env("DEPLOY_STATE"), peek.StateOnTarget, ctx);
        var engine = AppService.Create(new EngineOptions(state.Path)
        {
            Environment = env,
            Events = new ActionEvents(_log, ctx.ForAnnotation),
        });
        long? deploymentId = null;
        var started = false;
        try
        {
            var request = Request(inputs, spec);
            if (inputs.Command == "status")
            {
                return Status(ctx, await Phase("status", () => engine.StatusAsync(request, ct)));
            }

            if (inputs.Command == "plan")
            {
                // The plan's lines print inside its fold.
                var plan = await Phase("plan", async () =>
                {
                    var planned = await engine.PlanAsync(request, ct);
                    foreach (var line in planned.Plan)
                    {
                        _log.Line(line);
                    }

                    return planned;
                });

                if (inputs.CommentPlan && ctx.IsPullRequest)
                {
                    await recorder.UpsertCommentAsync(ctx.PullRequest!.Value, plan.App, Masked(PlanComment.Render(plan, ctx.Sha)), ct);
                }

                return Finish(ctx, inputs.Command, plan, null);
            }

            // apply, flip, rollback: find out what will be deployed, record it, then do it.
            var (colour, version) = await Phase("plan", () => TargetAsync(engine, inputs.Command, request, ct));
            started = true;
            if (inputs.Deployment != DeploymentMode.Off && (environment is null || ctx.Sha is null))
            {
                _log.Warning("no GitHub deployment recorded: " + (ctx.Sha is null ? "GITHUB_SHA is not set" : "the spec has no ID; set the input environment"));
            }
            else if (environment is not null && ctx.Sha is not null)
            {
                deploymentId = await recorder.StartAsync(Draft(ctx.Sha, environment, peek.Id!, colour, version), ctx.RunUrl, ct);
            }

            // apply folds each of its steps itself (ActionEvents); flip and rollback are one short step.
            var result = inputs.Command == "apply"
                ? await engine.ApplyAsync(request, ct)
                : await Phase(inputs.Command, () => inputs.Command == "flip" ? engine.FlipAsync(request, ct) : engine.RollbackAsync(request, ct));
            await recorder.FinishAsync(deploymentId, environment!, FinalStatus(result, inputs, ctx), ct);
            return Finish(ctx, inputs.Command, result, deploymentId);
        }
        catch (DeployException e)
        {
            if (inputs.Command is "apply" or "flip" or "rollback" && environment is not null && ctx.Sha is not null)
            {
                // Bad input found before the deployment existed still shows on the environment, as error.
                deploymentId ??= started ? null : await SafeStart(recorder, Draft(ctx.Sha, environment, peek.Id ?? environment, null, null), ctx, ct);
                await SafeFinish(recorder, deploymentId, environment,
                    new StatusDraft(e.ExitCode == 2 ? "error" : "failure", Masked(Headline(e)), LogUrl: ctx.RunUrl), ct);
            }

            if (deploymentId is not null)
            {
                Output(ctx, "deployment-id", deploymentId.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }

            return Failed(ctx, inputs.Command, peek.Id, e);
        }
    }

    private static AppRequest Request(ActionInputs inputs, string spec)
    {
        var request = new AppRequest(spec) { Vars = inputs.Vars, NoFlip = inputs.NoFlip, To = inputs.To };
        if (inputs.Timeout is null)
        {
            return request;
        }

        return Duration.TryParse(inputs.Timeout, out var timeout) && timeout > TimeSpan.Zero
            ? request with { Timeout = timeout }
            : throw new DeployException(Errors.InvalidArgument, $"input timeout: \"{inputs.Timeout}\" is not a duration; write e.g. 90s or 10m");
    }

    // The colour and version the command will make live, for the deployment's payload: apply's come from its plan
    // (the engine's AppPlan, which apply then executes and reports in its result).
    private async Task<(string? Colour, string? Version)> TargetAsync(AppService engine, string command, AppRequest request, CancellationToken ct)
    {
        if (command == "apply")
        {
            var plan = await engine.PlanAsync(request, ct);
            foreach (var line in plan.Plan)
            {
                _log.Line(line);
            }

            return (plan.Target ?? plan.LiveColour, plan.Version);
        }

        var status = await engine.StatusAsync(request, ct);
        var colour = command == "flip" ? request.To ?? status.StandbyColour : status.StandbyColour;
        return (colour, status.Colours.FirstOrDefault(c => c.Colour == colour)?.Version);
    }

    private static DeploymentDraft Draft(string sha, string environment, string app, string? colour, string? version) =>
        new(sha, environment, $"deploy {app}" + (version is null ? "" : $" version {version}") + (colour is null ? "" : $" to {colour}"),
            new Dictionary<string, string> { ["app"] = app, ["colour"] = colour ?? "", ["version"] = version ?? "" });

    private static StatusDraft FinalStatus(DeployResult result, ActionInputs inputs, RunnerContext ctx) => result switch
    {
        { Outcome: DeployOutcome.ReadyNotFlipped } => new("inactive", $"{result.LiveColour} ready, not flipped (no-flip)", LogUrl: ctx.RunUrl),
        { ExitCode: 0 } => new("success", result.Summary, inputs.EnvironmentUrl, ctx.RunUrl),
        _ => new("failure", result.Summary, LogUrl: ctx.RunUrl),
    };

    private int Finish(RunnerContext ctx, string command, DeployResult result, long? deploymentId)
    {
        if (result.ExitCode != 0)
        {
            _log.Error($"{command} failed: {result.Summary}", title: "deploy " + command);
        }
        else
        {
            _log.Line(result.Summary);
        }

        Output(ctx, "live-colour", result.LiveColour ?? "");
        Output(ctx, "previous-colour", result.PreviousColour ?? "");
        Output(ctx, "version", result.Version ?? "");
        Output(ctx, "changed", result.Changed ? "true" : "false");
        Output(ctx, "plan", string.Join("\n", result.Plan));
        Output(ctx, "deployment-id", deploymentId?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "");
        Summary(ctx, JobSummaryMarkdown.Render(command, result, deploymentId));
        return result.ExitCode;
    }

    private int Status(RunnerContext ctx, AppStatus status)
    {
        _log.Line($"{status.App}: live {status.LiveColour ?? "none"}, standby {status.StandbyColour ?? "none"}");
        Output(ctx, "live-colour", status.LiveColour ?? "");
        Output(ctx, "version", status.Colours.FirstOrDefault(c => c.Colour == status.LiveColour)?.Version ?? "");
        Output(ctx, "changed", "false");
        Summary(ctx, JobSummaryMarkdown.Render(status));
        return 0;
    }

    // The one-line reason first, then one annotation per finding, located in the spec.
    private int Failed(RunnerContext ctx, string command, string? app, DeployException e)
    {
        var headline = Headline(e);
        _log.Error($"{command} failed: {headline}", title: "deploy " + command);
        foreach (var d in e.Diagnostics)
        {
            var message = (d.Path is null ? "" : d.Path + ": ") + d.Message;
            var file = d.File is null ? null : ctx.ForAnnotation(d.File);
            if (d.Severity == Severity.Error)
            {
                _log.Error(message, file, d.Line, d.Column, d.Code.Id);
            }
            else
            {
                _log.Warning(message, file, d.Line, d.Column, d.Code.Id);
            }
        }

        Summary(ctx, JobSummaryMarkdown.RenderFailure(command, app, headline,
            e.Diagnostics.Select(d => d with { File = d.File is null ? null : ctx.ForAnnotation(d.File) }).ToList()));
        return e.ExitCode;
    }

    private static string Headline(DeployException e)
    {
        var errors = e.Diagnostics.Where(d => d.Severity == Severity.Error).ToList();
        return errors.Count switch
        {
            0 => e.Message.Split('\n')[0],
            1 => (errors[0].Path is null ? "" : errors[0].Path + ": ") + errors[0].Message,
            var n => $"{n} errors" + (errors[0].File is null ? "" : $" in {Path.GetFileName(errors[0].File)}") + "; each is annotated below",
        };
    }

    private async Task<T> Phase<T>(string name, Func<Task<T>> run)
    {
        _log.Group(name);
        try
        {
            return await run();
        }
        finally
        {
            _log.EndGroup();
        }
    }

    private GitHubRecorder Recorder(RunnerContext ctx, ActionInputs inputs)
    {
        var why = inputs.Token is null ? "no github-token was given"
            : ctx.Owner is null ? "GITHUB_REPOSITORY is not set"
            : null;
        var needed = inputs.Deployment != DeploymentMode.Off || (inputs.CommentPlan && ctx.IsPullRequest);
        var api = why is null && needed ? connect(ctx, inputs.Token!) : null;
        return new GitHubRecorder(api, why, inputs.Deployment, _log);
    }

    private static async Task<long?> SafeStart(GitHubRecorder recorder, DeploymentDraft draft, RunnerContext ctx, CancellationToken ct)
    {
        try
        {
            return await recorder.StartAsync(draft, ctx.RunUrl, ct);
        }
        catch (DeployException)
        {
            return null; // required, and GitHub failed: the original error is the one to report
        }
    }

    private static async Task SafeFinish(GitHubRecorder recorder, long? id, string environment, StatusDraft status, CancellationToken ct)
    {
        try
        {
            await recorder.FinishAsync(id, environment, status, ct);
        }
        catch (DeployException)
        {
        }
    }

    private void Mask(string? secret)
    {
        if (!string.IsNullOrEmpty(secret))
        {
            _log.AddMask(secret);
            _secrets.Add(secret);
        }
    }

    private string Masked(string text) => new SecretMask(_secrets).Apply(text);

    private void Output(RunnerContext ctx, string name, string value) => new OutputFile(ctx.OutputFile, stdout).Set(name, Masked(value));

    private void Summary(RunnerContext ctx, string markdown)
    {
        if (ctx.SummaryFile is not null)
        {
            File.AppendAllText(ctx.SummaryFile, Masked(markdown));
        }
    }
}
