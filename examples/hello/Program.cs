// hello: the app the examples deploy. It says which colour and version answered, and can be told to fail,
// so blue/green flips and rollbacks can be watched and tested.
//   PORT             listen on HOST:PORT (default 8080)
//   HOST             the address to listen on (default 127.0.0.1, this machine only); 0.0.0.0 serves on every
//                    interface, as a task on a Docker Swarm node must for a proxy on another node to reach it
//   APP_VERSION      shown by / and /version (default "dev")
//   APP_COLOUR       shown by / (default "none")
//   APP_FAIL_HEALTH  1: /healthz answers 503
//   APP_FAIL_AFTER   e.g. 8s: every request answers 500 once that long has passed since start
//   APP_COUNTER_FILE where POST /counter appends its request id (default: POST /counter answers 404)
//
// Endpoints: GET / ("hello from COLOUR VERSION"), GET /version, GET /healthz, and POST /counter: a non-idempotent
// request for testing that proxies never replay one. It needs an X-Request-Id header, appends that id as one line to
// APP_COUNTER_FILE (O_APPEND, one write per line, so every instance of both colours can share the file) and answers
// 200 with how many ids this instance applied. A test then reads the file: an id on two lines was applied twice.
//
// Breaking a version on purpose: APP_FAIL_HEALTH=1 fails the health check, so a deploy stops before the flip;
// APP_FAIL_AFTER=5s makes every request, POST /counter included, answer 500 five seconds after start, before any
// handler runs (nothing is appended), as a version that breaks in production would, after the flip.
using System.Diagnostics;
using Hello;

var port = Environment.GetEnvironmentVariable("PORT") is { Length: > 0 } p ? p : "8080";
var host = Environment.GetEnvironmentVariable("HOST") is { Length: > 0 } h ? h : "127.0.0.1";
var version = Environment.GetEnvironmentVariable("APP_VERSION") is { Length: > 0 } v ? v : "dev";
var colour = Environment.GetEnvironmentVariable("APP_COLOUR") is { Length: > 0 } c ? c : "none";
var failHealth = Environment.GetEnvironmentVariable("APP_FAIL_HEALTH") is { Length: > 0 } f && f != "0";
if (!FailAfter.TryParse(Environment.GetEnvironmentVariable("APP_FAIL_AFTER"), out var failAfter))
{
    Console.Error.WriteLine($"hello: APP_FAIL_AFTER=\"{Environment.GetEnvironmentVariable("APP_FAIL_AFTER")}\" is not a duration; write 500ms, 2s or 5m");
    return 2;
}

var counter = Environment.GetEnvironmentVariable("APP_COUNTER_FILE") is { Length: > 0 } file ? new Counter(file) : null;

// Measured from the process start, not from when Kestrel is ready, so a slow start does not delay the failure.
var started = Process.GetCurrentProcess().StartTime.ToUniversalTime();

var builder = WebApplication.CreateSlimBuilder(args);
builder.WebHost.UseUrls($"http://{host}:{port}");
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(5));

var app = builder.Build();
app.Use(async (context, next) =>
{
    if (failAfter is { } after && DateTime.UtcNow - started >= after)
    {
        context.Response.StatusCode = StatusCodes.Status500InternalServerError;
        await context.Response.WriteAsync($"failing: APP_FAIL_AFTER={Duration(after)} has passed\n");
        return;
    }

    await next(context);
});

app.MapGet("/", () => Results.Text($"hello from {colour} {version}", "text/plain"));
app.MapGet("/version", () => Results.Text(version, "text/plain"));
app.MapGet("/healthz", () => failHealth
    ? Results.Text("failing: APP_FAIL_HEALTH is set\n", "text/plain", statusCode: StatusCodes.Status503ServiceUnavailable)
    : Results.Text("ok", "text/plain"));

app.MapPost("/counter", (HttpRequest request) =>
{
    if (counter is null)
    {
        return Results.Text("POST /counter needs APP_COUNTER_FILE\n", "text/plain", statusCode: StatusCodes.Status404NotFound);
    }

    var id = request.Headers["X-Request-Id"].ToString();
    if (id.Length == 0 || id.Any(char.IsControl))
    {
        return Results.Text("POST /counter needs an X-Request-Id header on one line\n", "text/plain", statusCode: StatusCodes.Status400BadRequest);
    }

    return Results.Text(counter.Apply(id).ToString(System.Globalization.CultureInfo.InvariantCulture), "text/plain");
});

app.Run();
return 0;

static string Duration(TimeSpan t) => t.TotalSeconds < 1 ? $"{t.TotalMilliseconds:0}ms" : $"{t.TotalSeconds:0.###}s";
