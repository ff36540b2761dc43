using Deploy.Cli.Options;
using Deploy.Engine.BlueGreen;
using Deploy.Engine.Plugins.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Deploy.Cli.Commands;

/// <summary>
/// <c>deploy plugin serve</c>: InfraKit's plugin protocol (HTTP/1.1 over one unix socket per plugin) on Kestrel. This face only
/// carries bytes: each request's socket name, path and body go to the engine's <see cref="PluginDispatcher"/>, whose status
/// and body go back unchanged.
/// </summary>
internal static class PluginServeCommand
{
    private const string SocketItem = "deploy.plugin-socket";

    public static async Task<int> RunAsync(CliContext cli, PluginServeOptions o)
    {
        var engine = cli.Engine(o);
        var groups = AppService.Create(engine).Groups;
        var dispatcher = new PluginDispatcher(groups, engine.Events);
        var dir = SocketClaims.Directory(o.Dir, cli.Env);
        Directory.CreateDirectory(dir);
        var sockets = dispatcher.Sockets.ToDictionary(name => name, name => Path.Combine(dir, name));
        SocketClaims.Claim(sockets.Values.ToList());

        var app = Build(sockets, dispatcher, cli.Cancellation);
        try
        {
            await app.StartAsync(cli.Cancellation);
            cli.Out.WriteLine($"serving plugins in {dir}: {string.Join(", ", sockets.Keys)} (state: {groups.State.Directory})");
            await Task.Delay(Timeout.Infinite, cli.Cancellation).ContinueWith(_ => { }, TaskScheduler.Default);
        }
        finally
        {
            // In-flight methods were cancelled with the same token and answer at once; the bound only guards a stuck one.
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await app.StopAsync(grace.Token);
            await app.DisposeAsync();
            SocketClaims.Remove(sockets.Values);
        }

        cli.Out.WriteLine("stopped");
        return 0;
    }

    private static WebApplication Build(Dictionary<string, string> sockets, PluginDispatcher dispatcher, CancellationToken stopping)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = System.AppContext.BaseDirectory });
        builder.Logging.ClearProviders(); // the CLI prints its own lines; Kestrel's would go to stdout
        builder.Services.AddSingleton<IHostLifetime, CliLifetime>();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            foreach (var (name, path) in sockets)
            {
                kestrel.ListenUnixSocket(path, listen =>
                {
                    listen.Protocols = HttpProtocols.Http1;
                    // Which socket a request came through names the plugin: tag the connection when it is accepted.
                    listen.Use(next => connection =>
                    {
                        connection.Items[SocketItem] = name;
                        return next(connection);
                    });
                });
            }
        });

        var app = builder.Build();
        app.Run(http => AnswerAsync(http, dispatcher, stopping));
        return app;
    }

    private static async Task AnswerAsync(HttpContext http, PluginDispatcher dispatcher, CancellationToken stopping)
    {
        var socket = http.Features.Get<IConnectionItemsFeature>()?.Items[SocketItem] as string ?? "";
        PluginResponse response;
        if (!HttpMethods.IsPost(http.Request.Method))
        {
            response = PluginResponse.Error(StatusCodes.Status405MethodNotAllowed, $"plugin methods are called with POST, not {http.Request.Method}");
        }
        else
        {
            using var body = new MemoryStream();
            await http.Request.Body.CopyToAsync(body, http.RequestAborted);
            // Not the request's abort token: InfraKit's server lets a method finish when its caller goes away, and a
            // half-done update is worse than a finished one nobody reads. Only stopping the server cancels it.
            response = await dispatcher.HandleAsync(socket, http.Request.Path.Value ?? "/", body.ToArray(), stopping);
        }

        http.Response.StatusCode = response.Status;
        if (response.Body.Length > 0)
        {
            http.Response.ContentType = "application/json";
            await http.Response.Body.WriteAsync(response.Body, http.RequestAborted);
        }
    }

    // The CLI owns SIGINT/SIGTERM (Program.cs turns them into its cancellation token); the host must not handle them too.
    private sealed class CliLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
