using System.Net;
using Deploy.Tests.Fixtures;

namespace Deploy.Tests.Plugins.Instance;

/// <summary>examples/hello's failure switches, run as the process plugin runs it in the examples.</summary>
[Collection(HelloApp.Collection)]
public sealed class ProcessHelloAppTests(HelloApp hello) : IAsyncLifetime
{
    private readonly ProcessHarness _h = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _h.DisposeAsync();

    private async Task<string> StartAsync(int port, params (string Name, string Value)[] env)
    {
        var id = await _h.ProvisionAsync(ProcessHarness.Props(
            command: ["dotnet", hello.Dll], from: port, to: port,
            env: env.ToDictionary(e => e.Name, e => e.Value), stopTimeout: "5s"));
        return _h.Record(id)!.Endpoint;
    }

    [Fact]
    public async Task Healthz_FailHealthSet_Answers503WhileOtherPathsWork()
    {
        var endpoint = await StartAsync(ProxyFixtures.FreePort(), ("APP_FAIL_HEALTH", "1"), ("APP_VERSION", "3.1"));

        (await ProcessHarness.GetAsync(endpoint, "/healthz")).Status.ShouldBe(HttpStatusCode.ServiceUnavailable);
        (await ProcessHarness.GetAsync(endpoint, "/version")).ShouldBe((HttpStatusCode.OK, "3.1"));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("")]
    public async Task Healthz_FailHealthZeroOrEmpty_AnswersOk(string value)
    {
        var endpoint = await StartAsync(ProxyFixtures.FreePort(), ("APP_FAIL_HEALTH", value));

        (await ProcessHarness.GetAsync(endpoint, "/healthz")).ShouldBe((HttpStatusCode.OK, "ok"));
    }

    [Fact]
    public async Task AnyPath_FailAfterElapsed_Answers500ButNotBefore()
    {
        var endpoint = await StartAsync(ProxyFixtures.FreePort(), ("APP_FAIL_AFTER", "3s"), ("APP_VERSION", "4.0"), ("APP_COLOUR", "green"));

        (await ProcessHarness.GetAsync(endpoint, "/")).ShouldBe((HttpStatusCode.OK, "hello from green 4.0"));
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while ((await ProcessHarness.GetAsync(endpoint, "/healthz")).Status == HttpStatusCode.OK)
        {
            DateTime.UtcNow.ShouldBeLessThan(deadline, "APP_FAIL_AFTER=3s never took effect");
            await Task.Delay(200);
        }

        (await ProcessHarness.GetAsync(endpoint, "/healthz")).Status.ShouldBe(HttpStatusCode.InternalServerError);
        (await ProcessHarness.GetAsync(endpoint, "/version")).Status.ShouldBe(HttpStatusCode.InternalServerError);
    }

    [Fact]
    public async Task Start_FailAfterNotADuration_ExitsWithAMessageInTheLog()
    {
        try
        {
            await StartAsync(ProxyFixtures.FreePort(), ("APP_FAIL_AFTER", "soon"));
        }
        catch (Engine.Diagnostics.DeployException)
        {
            // Exiting before provision recorded the pid is the same outcome: no instance, a reason in the log.
        }

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while ((await _h.DescribeAsync()).Count > 0)
        {
            DateTime.UtcNow.ShouldBeLessThan(deadline, "hello kept running with a bad APP_FAIL_AFTER");
            await Task.Delay(100);
        }

        var log = Directory.GetFiles(_h.Plugin.Directory, "*.log").Single();
        File.ReadAllText(log).ShouldContain("APP_FAIL_AFTER=\"soon\" is not a duration");
    }

    [Fact]
    public async Task PostCounter_TwoInstancesShareTheFile_EachIdAppendedOnceAsOneLine()
    {
        using var dir = new Support.TempDir();
        var counter = Path.Combine(dir.Path, "counter.txt");
        var a = await StartListeningAsync(("APP_COUNTER_FILE", counter));
        var b = await StartListeningAsync(("APP_COUNTER_FILE", counter));

        var answers = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => PostAsync(i % 2 == 0 ? a : b, $"id-{i}")));

        answers.ShouldAllBe(answer => answer.Status == HttpStatusCode.OK);
        answers.Where((_, i) => i % 2 == 0).Select(answer => int.Parse(answer.Body)).Max().ShouldBe(100);
        File.ReadAllLines(counter).ShouldBe(Enumerable.Range(0, 200).Select(i => $"id-{i}"), ignoreOrder: true);
    }

    [Fact]
    public async Task PostCounter_FailAfterElapsed_Answers500AndAppendsNothing()
    {
        using var dir = new Support.TempDir();
        var counter = Path.Combine(dir.Path, "counter.txt");
        var endpoint = await StartListeningAsync(("APP_COUNTER_FILE", counter), ("APP_FAIL_AFTER", "3s"));
        (await PostAsync(endpoint, "before")).Status.ShouldBe(HttpStatusCode.OK);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while ((await ProcessHarness.GetAsync(endpoint, "/healthz")).Status == HttpStatusCode.OK)
        {
            DateTime.UtcNow.ShouldBeLessThan(deadline, "APP_FAIL_AFTER=3s never took effect");
            await Task.Delay(100);
        }

        (await PostAsync(endpoint, "after")).Status.ShouldBe(HttpStatusCode.InternalServerError);

        File.ReadAllLines(counter).ShouldBe(["before"]);
    }

    [Fact]
    public async Task PostCounter_WithoutRequestId_Answers400()
    {
        using var dir = new Support.TempDir();
        var endpoint = await StartListeningAsync(("APP_COUNTER_FILE", Path.Combine(dir.Path, "counter.txt")));

        (await PostAsync(endpoint, null)).Status.ShouldBe(HttpStatusCode.BadRequest);
    }

    // Provision returns once the process runs; a POST is sent only once it answers, as nothing retries it.
    private async Task<string> StartListeningAsync(params (string Name, string Value)[] env)
    {
        var endpoint = await StartAsync(ProxyFixtures.FreePort(), env);
        await ProcessHarness.GetAsync(endpoint, "/version");
        return endpoint;
    }

    private static async Task<(HttpStatusCode Status, string Body)> PostAsync(string endpoint, string? id)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using var request = new HttpRequestMessage(HttpMethod.Post, $"http://{endpoint}/counter");
        if (id is not null)
        {
            request.Headers.Add("X-Request-Id", id);
        }

        using var response = await http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}
