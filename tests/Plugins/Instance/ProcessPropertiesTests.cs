using System.Text.Json;
using Deploy.Engine.Diagnostics;
using Deploy.Engine.Events;
using Deploy.Engine.Plugins.Instance.Process;

namespace Deploy.Tests.Plugins.Instance;

/// <summary>Validation of the <c>instance-process</c> plugin's properties: every error at once, each with its JSON path.</summary>
public sealed class ProcessPropertiesTests
{
    private const string At = "$.Properties.Instance.Properties";
    private readonly ProcessInstancePlugin _plugin = new(Path.GetTempPath(), NullEvents.Instance);

    private List<(string Code, string? Path)> Validate(string json) =>
        _plugin.Validate(JsonDocument.Parse(json).RootElement, At).Select(d => (d.Code.Id, d.Path)).ToList();

    [Fact]
    public void Validate_ValidProperties_ReportsNothing()
    {
        var errors = Validate("""
            {"Command": ["dotnet", "hello.dll", "--urls", "http://127.0.0.1:{{port}}"], "Env": {"APP_VERSION": "1.0"},
             "WorkingDirectory": "/tmp", "Ports": {"From": 18100, "To": 18199}, "StopTimeout": "2s"}
            """);

        errors.ShouldBeEmpty();
    }

    [Fact]
    public void Validate_ManyProblems_ReportsEveryErrorWithItsPath()
    {
        var errors = Validate("""
            {"Env": {"A": 1, "PORT": "80"}, "WorkingDirectory": 5, "Ports": {"From": 70000, "To": "x"}, "StopTimeout": "soon"}
            """);

        errors.ShouldBe(
        [
            (Errors.Missing.Id, $"{At}.Command"),
            (Errors.WrongType.Id, $"{At}.Env.A"),
            (Errors.Conflict.Id, $"{At}.Env.PORT"),
            (Errors.WrongType.Id, $"{At}.WorkingDirectory"),
            (Errors.OutOfRange.Id, $"{At}.Ports.From"),
            (Errors.WrongType.Id, $"{At}.Ports.To"),
            (Errors.InvalidDuration.Id, $"{At}.StopTimeout"),
        ], ignoreOrder: true);
    }

    [Fact]
    public void Validate_CommandWithNonStringAndUnknownPlaceholder_ReportsEachElement()
    {
        var errors = Validate("""{"Command": ["app", 8080, "--name={{name}}"], "Ports": {"From": 2000, "To": 2000}}""");

        errors.ShouldBe([(Errors.WrongType.Id, $"{At}.Command[1]"), (Errors.UnknownPlaceholder.Id, $"{At}.Command[2]")]);
    }

    [Theory]
    [InlineData("""{"Command": [], "Ports": {"From": 2000, "To": 2001}}""", "DEPLOY1007", ".Command")]
    [InlineData("""{"Command": "app --flag", "Ports": {"From": 2000, "To": 2001}}""", "DEPLOY1005", ".Command")]
    [InlineData("""{"Command": ["app"], "Ports": {"From": 3000, "To": 2000}}""", "DEPLOY1002", ".Ports")]
    [InlineData("""{"Command": ["app"], "Ports": {"From": 80, "To": 2000}}""", "DEPLOY1003", ".Ports.From")]
    [InlineData("""{"Command": ["app"], "Ports": {"From": 2000}}""", "DEPLOY1004", ".Ports.To")]
    [InlineData("""{"Command": ["app"]}""", "DEPLOY1004", ".Ports")]
    [InlineData("""{"Command": ["app"], "Ports": [2000, 2001]}""", "DEPLOY1005", ".Ports")]
    [InlineData("""{"Command": ["app"], "Ports": {"From": 2000, "To": 2001}, "Env": ["A=1"]}""", "DEPLOY1005", ".Env")]
    public void Validate_OneProblem_ReportsItAtItsPath(string json, string code, string path)
    {
        Validate(json).ShouldBe([(code, At + path)]);
    }

    [Fact]
    public void Validate_NotAnObject_ReportsWrongTypeAtThePropertiesPath()
    {
        Validate("""["dotnet"]""").ShouldBe([(Errors.WrongType.Id, At)]);
        _plugin.Validate(null, At).Select(d => (d.Code.Id, d.Path)).ShouldBe([(Errors.Missing.Id, At)]);
    }

    [Fact]
    public void Validate_Messages_SayHowToFix()
    {
        var message = _plugin.Validate(JsonDocument.Parse("""{"Command": ["app"], "Ports": {"From": 3000, "To": 2000}}""").RootElement, At)
            .Single().Message;

        message.ShouldContain("swap them");
    }
}
