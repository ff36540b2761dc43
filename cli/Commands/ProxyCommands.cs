using Deploy.Cli.Options;
using Deploy.Cli.Rendering;
using Deploy.Engine.BlueGreen;

namespace Deploy.Cli.Commands;

/// <summary>The <c>proxy</c> verbs: each makes one engine call and renders its result.</summary>
internal static class ProxyCommands
{
    public static async Task<int> BootAsync(CliContext cli, ProxyBootOptions o)
    {
        var result = await cli.Apps(o, o.Json).BootProxyAsync(new AppRequest(o.Target) { Vars = AppCommands.ParseVars(o.Vars) }, cli.Cancellation);
        if (o.Json)
        {
            Output.WriteJson(cli.Out, result);
            return 0;
        }

        foreach (var step in result.Steps)
        {
            cli.Out.WriteLine(step);
        }

        cli.Out.WriteLine(result.Summary);
        return 0;
    }
}
