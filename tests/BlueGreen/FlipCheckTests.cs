using Deploy.Engine.Probes;
using Deploy.Engine.Apps;
using Deploy.Engine.BlueGreen;
using Deploy.Engine.Groups;
using Deploy.Engine.Plugins.Instance;
using Deploy.Tests.Fixtures;

namespace Deploy.Tests.BlueGreen;

/// <summary>
/// The flip is judged only once the proxy answers like the colour routed to: real HTTP servers play the instances and a
/// proxy whose answer changes when its "reload" takes effect.
/// </summary>
public sealed class FlipCheckTests : IAsyncDisposable
{
    private readonly LocalHttpProbe _probe = new();
    private readonly HttpChecks _http;

    public FlipCheckTests() => _http = new HttpChecks(_probe);
    private readonly TestBackend _blue = TestBackend.Start("hello from blue 1");
    private readonly TestBackend _green = TestBackend.Start("hello from green 2");
    private readonly TestBackend _proxy = TestBackend.Start("hello from blue 1");

    private static MemberView Member(TestBackend backend) => new(backend.Address, null, new Dictionary<string, string>(), Endpoint.TryParse(backend.Address));

    private Uri ProxyUrl => new($"http://{_proxy.Address}/");

    [Fact]
    public async Task WaitAsync_ProxyStartsAnsweringLikeTheRoutedColour_InEffectAfterAStreakOfNewAnswers()
    {
        var reload = Task.Run(async () =>
        {
            await Task.Delay(300);
            _proxy.Name = "hello from green 2";
        });
        var before = _proxy.Requests;

        var why = await new FlipCheck(_http).WaitAsync(ProxyUrl, "green", [Member(_green)], [Member(_blue)], verify: null, CancellationToken.None);

        await reload;
        why.ShouldBeNull();
        (_proxy.Requests - before).ShouldBeGreaterThanOrEqualTo(FlipCheck.Streak);
    }

    [Fact]
    public async Task WaitAsync_ProxyKeepsAnsweringTheOldColour_SaysWhatItAnsweredAndWhatWasExpected()
    {
        var why = await new FlipCheck(_http, TimeSpan.FromMilliseconds(500)).WaitAsync(ProxyUrl, "green", [Member(_green)], [Member(_blue)], verify: null, CancellationToken.None);

        why.ShouldNotBeNull();
        why.ShouldContain("did not answer from green");
        why.ShouldContain("last answer: 200 \"hello from blue 1\"");
        why.ShouldContain("green's instances answer 200 \"hello from green 2\"");
    }

    [Fact]
    public async Task WaitAsync_RoutedColourBreaksWhileTheProxyStillAnswersOtherwise_FailsWithinASecondNotAtTheLimit()
    {
        // The new version starts failing right after the flip: the proxy (its passive checks shunning it) keeps answering
        // from the old colour, and the routed instances themselves now answer 500.
        var breaks = Task.Run(async () =>
        {
            await Task.Delay(200);
            _green.Status = 500;
        });
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var why = await new FlipCheck(_http, TimeSpan.FromSeconds(30)).WaitAsync(ProxyUrl, "green", [Member(_green)], [Member(_blue)], verify: null, CancellationToken.None);

        await breaks;
        clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(5));
        why.ShouldNotBeNull();
        why.ShouldContain("green's instances themselves now answer 500");
        why.ShouldContain("they answered 200 \"hello from green 2\"");
        why.ShouldContain("the proxy answered 200 \"hello from blue 1\"");
    }

    [Fact]
    public async Task WaitAsync_WithVerify_OldColourFailsItAndProxySatisfiesIt_InEffect()
    {
        _proxy.Name = "2";
        _green.Name = "2";
        _blue.Name = "1";
        var verify = new VerifySpec("/version", Expect: "2", Contains: null, Duration: TimeSpan.FromSeconds(1));

        var why = await new FlipCheck(_http).WaitAsync(ProxyUrl, "green", [Member(_green)], [Member(_blue)], verify, CancellationToken.None);

        why.ShouldBeNull();
    }

    [Fact]
    public async Task WaitAsync_RoutedInstancesFailVerifyThemselves_FailsAtOnceWithoutWaiting()
    {
        _green.Status = 500;
        var verify = new VerifySpec("/version", Expect: "2", Contains: null, Duration: TimeSpan.FromSeconds(1));
        var before = _proxy.Requests;

        var why = await new FlipCheck(_http).WaitAsync(ProxyUrl, "green", [Member(_green)], [Member(_blue)], verify, CancellationToken.None);

        why.ShouldNotBeNull();
        why.ShouldContain("green's instances themselves answered 500");
        _proxy.Requests.ShouldBe(before);
    }

    [Fact]
    public async Task WaitAsync_FirstDeployProxyAnswers502ThenTheNewColour_InEffect()
    {
        _proxy.Status = 502;
        var reload = Task.Run(async () =>
        {
            await Task.Delay(200);
            _proxy.Name = "hello from green 2";
            _proxy.Status = 200;
        });

        var why = await new FlipCheck(_http).WaitAsync(ProxyUrl, "green", [Member(_green)], [], verify: null, CancellationToken.None);

        await reload;
        why.ShouldBeNull();
    }

    public async ValueTask DisposeAsync()
    {
        _probe.Dispose();
        await _blue.DisposeAsync();
        await _green.DisposeAsync();
        await _proxy.DisposeAsync();
    }
}
