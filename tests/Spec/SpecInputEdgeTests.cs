using System.Text;
using Deploy.Engine.Diagnostics;
using Deploy.Engine.Events;
using Deploy.Engine.Plugins;
using Deploy.Engine.Plugins.Flavor;
using Deploy.Engine.Plugins.Instance;
using Deploy.Engine.Plugins.Proxy;
using Deploy.Engine.Spec;
using Deploy.Tests.Support;

namespace Deploy.Tests.Spec;

/// <summary>Input at the edges of JSON and of the group format: bad text, huge numbers, empty groups.</summary>
public sealed class SpecInputEdgeTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly PluginRegistry _plugins = new(
        [new FileInstancePlugin(Path.GetTempPath(), NullEvents.Instance)], [new VanillaFlavor()], Array.Empty<IProxyPlugin>());

    [Fact]
    public void Load_InvalidUtf8InString_InvalidJsonAtTheString()
    {
        var bytes = Replace(Encoding.UTF8.GetBytes(GroupJson.Scaler(instancePlugin: "instance-file")), "v1", [0xFF, 0xFE]);
        var file = WriteBytes("bad-utf8.json", bytes);

        var e = Should.Throw<DeployException>(() => GroupSpecLoader.Load(file, _plugins));

        e.ExitCode.ShouldBe(2);
        var d = e.Diagnostics.Single();
        d.Code.ShouldBe(Errors.InvalidJson);
        d.Line.ShouldNotBeNull();
        d.ToString().ShouldStartWith($"{file}({d.Line},{d.Column}): error DEPLOY1001: invalid JSON");
    }

    [Fact]
    public void Load_InvalidUtf8InPropertyName_InvalidJsonWithPosition()
    {
        var bytes = Replace(Encoding.UTF8.GetBytes("{\n  \"ID\": \"g\",\n  \"Pro@erties\": {}\n}"), "@", [0xC3, 0x28]);
        var file = WriteBytes("bad-name.json", bytes);

        var e = Should.Throw<DeployException>(() => GroupSpecLoader.Load(file, _plugins));

        var d = e.Diagnostics.Single();
        d.Code.ShouldBe(Errors.InvalidJson);
        d.Line.ShouldBe(3);
    }

    [Theory]
    [InlineData("\\ud800")]
    [InlineData("\\udc00x")]
    [InlineData("a\\ud83d")]
    public void Load_LoneSurrogateEscape_InvalidJsonAtItsLine(string escape)
    {
        var file = _dir.Write("surrogate.json", "{\n  \"ID\": \"g\",\n  \"Properties\": {\n    \"Instance\": { \"Plugin\": \"instance-file\", \"Properties\": { \"Note\": \"" + escape + "\" } }\n  }\n}");

        var e = Should.Throw<DeployException>(() => GroupSpecLoader.Load(file, _plugins));

        var d = e.Diagnostics.Single();
        d.ToString().ShouldStartWith($"{file}(4,");
        d.Code.ShouldBe(Errors.InvalidJson);
        d.Message.ShouldContain("surrogate");
    }

    [Fact]
    public void Load_LoneSurrogateInPropertyName_InvalidJson()
    {
        var file = _dir.Write("surrogate-key.json", "{\"ID\": \"g\", \"\\ud800\": 1}");

        var e = Should.Throw<DeployException>(() => GroupSpecLoader.Load(file, _plugins));

        e.Diagnostics.Single().ToString().ShouldStartWith($"{file}(1,13): error DEPLOY1001: invalid JSON: the property name holds half of a surrogate pair");
    }

    [Fact]
    public void Load_SurrogatePairEscape_Accepted()
    {
        var file = _dir.Write("pair.json", GroupJson.Scaler(instancePlugin: "instance-file").Replace("\"v1\"", "\"\\ud83d\\ude00\""));

        GroupSpecLoader.Load(file, _plugins).Spec.Id.ShouldBe("app");
    }

    [Theory]
    [InlineData("4294967296", "must be at most 100000 (was 4294967296)")]
    [InlineData("100001", "must be at most 100000 (was 100001)")]
    [InlineData("1e400", "the number 1e400 is beyond what a 64-bit float holds")]
    public void Load_SizeTooLarge_OutOfRange(string size, string message)
    {
        var file = _dir.Write("big.json", GroupJson.Scaler(instancePlugin: "instance-file").Replace("\"Size\": 2", $"\"Size\": {size}"));

        var e = Should.Throw<DeployException>(() => GroupSpecLoader.Load(file, _plugins));

        var d = e.Diagnostics.Single();
        d.Code.ShouldBe(Errors.OutOfRange);
        d.Path.ShouldBe("$.Properties.Allocation.Size");
        d.Message.ShouldStartWith(message);
        e.ExitCode.ShouldBe(2);
    }

    [Fact]
    public void Load_SizeAtMaximum_Accepted()
    {
        var file = _dir.Write("max.json", GroupJson.Scaler(size: Allocation.MaxSize, instancePlugin: "instance-file"));

        GroupSpecLoader.Load(file, _plugins).Spec.Properties.Allocation.Size.ShouldBe(100_000);
    }

    [Theory]
    [InlineData("1e400")]
    [InlineData("-1e400")]
    [InlineData("[1, 2e999]")]
    public void Load_NonFiniteNumberInPluginProperties_OutOfRangeWithPath(string number)
    {
        var file = _dir.Write("inf.json", GroupJson.Scaler(instancePlugin: "instance-file").Replace("\"v1\"", number));

        var e = Should.Throw<DeployException>(() => GroupSpecLoader.Load(file, _plugins));

        var d = e.Diagnostics.Single();
        d.Code.ShouldBe(Errors.OutOfRange);
        d.Path.ShouldStartWith("$.Properties.Instance.Properties.Note");
        d.Line.ShouldNotBeNull();
    }

    [Fact]
    public void Load_LargeFiniteNumberInPluginProperties_Accepted()
    {
        var file = _dir.Write("large.json", GroupJson.Scaler(instancePlugin: "instance-file").Replace("\"v1\"", "1e300"));

        GroupSpecLoader.Load(file, _plugins).Spec.Id.ShouldBe("app");
    }

    [Fact]
    public void Load_DuplicateKey_DuplicateAtTheSecondOccurrence()
    {
        var file = _dir.Write("dup.json", "{\n  \"ID\": \"a\",\n  \"ID\": \"b\",\n  \"Properties\": {}\n}");

        var e = Should.Throw<DeployException>(() => GroupSpecLoader.Load(file, _plugins));

        e.Diagnostics.Single().ToString().ShouldBe($"{file}(3,9): error DEPLOY1010: $.ID: is given twice in this object; keep one (only the last would count)");
    }

    private string WriteBytes(string name, byte[] bytes)
    {
        var path = Path.Combine(_dir.Path, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static byte[] Replace(byte[] bytes, string marker, byte[] with)
    {
        var m = Encoding.UTF8.GetBytes(marker);
        var at = bytes.AsSpan().IndexOf(m);
        at.ShouldBeGreaterThanOrEqualTo(0);
        return [.. bytes[..at], .. with, .. bytes[(at + m.Length)..]];
    }

    public void Dispose() => _dir.Dispose();
}
