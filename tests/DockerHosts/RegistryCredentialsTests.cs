using Deploy.Engine.Diagnostics;
using Deploy.Engine.Docker;
using Deploy.Tests.Support;

namespace Deploy.Tests.DockerHosts;

/// <summary>
/// Which login a pull uses, found as the docker CLI finds it: the spec's RegistryAuth, else the Docker config file's
/// credHelpers, credsStore or auths entry for the image's registry. The helper here is a real program on a PATH of the
/// test's own, answering as docker-credential-* helpers do.
/// </summary>
public sealed class RegistryCredentialsTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    // DOCKER_CONFIG holding config.json, and a PATH of the test's own.
    private Func<string, string?> Environment(string config)
    {
        _dir.Write("config.json", config);
        return name => name switch
        {
            "DOCKER_CONFIG" => _dir.Path,
            "PATH" => Path.Combine(_dir.Path, "bin"),
            _ => null,
        };
    }

    private static string Auths(string key, string pair) =>
        "{\"auths\": {\"" + key + "\": {\"auth\": \"" + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(pair)) + "\"}}}";

    [Theory]
    [InlineData("registry.example.com:5000/shop/web", "registry.example.com:5000")]
    [InlineData("localhost/web", "localhost")]
    [InlineData("library/nginx", RegistryCredentials.DockerHub)]
    [InlineData("nginx", RegistryCredentials.DockerHub)]
    public void RegistryOf_TheFirstPartWhenItIsAHost(string repository, string registry)
    {
        RegistryCredentials.RegistryOf(repository).ShouldBe(registry);
    }

    [Fact]
    public void SpecLogin_WinsOverTheConfigFile()
    {
        var config = Auths("reg.example.com", "file:pw");

        var auth = RegistryCredentials.For("reg.example.com/shop", new RegistryLogin("ci", "s3cret"), Environment(config))!;

        (auth.Username, auth.Password, auth.ServerAddress).ShouldBe(("ci", "s3cret", "reg.example.com"));
    }

    [Fact]
    public void ConfigFileAuths_AreDecoded_UnderAnyUrlForm()
    {
        var config = Auths("https://reg.example.com", "ci:pa:ss");

        var auth = RegistryCredentials.For("reg.example.com/shop", null, Environment(config))!;

        (auth.Username, auth.Password).ShouldBe(("ci", "pa:ss"));
        RegistryCredentials.For("other.example.com/shop", null, Environment(config)).ShouldBeNull();
    }

    [Fact]
    public void CredHelper_IsAskedThroughItsProgram()
    {
        Directory.CreateDirectory(Path.Combine(_dir.Path, "bin"));
        var helper = _dir.Write("bin/docker-credential-test",
            "#!/bin/sh\nread registry\n[ \"$1\" = get ] && [ \"$registry\" = reg.example.com ] || exit 1\necho '{\"ServerURL\":\"reg.example.com\",\"Username\":\"robot\",\"Secret\":\"from-helper\"}'\n");
        File.SetUnixFileMode(helper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        var auth = RegistryCredentials.For("reg.example.com/shop", null, Environment("""{"credHelpers": {"reg.example.com": "test"}}"""))!;

        (auth.Username, auth.Password).ShouldBe(("robot", "from-helper"));
    }

    [Fact]
    public void MissingCredHelper_IsAClearError()
    {
        Should.Throw<DeployException>(() => RegistryCredentials.For("reg.example.com/shop", null, Environment("""{"credHelpers": {"reg.example.com": "absent"}}""")))
            .Message.ShouldContain("docker-credential-absent");
    }

    [Fact]
    public void NoConfigFile_MeansAnAnonymousPull()
    {
        RegistryCredentials.For("reg.example.com/shop", null, name => name == "DOCKER_CONFIG" ? Path.Combine(_dir.Path, "none") : null).ShouldBeNull();
    }

    [Fact]
    public void Login_IsNeverPrinted()
    {
        new RegistryLogin("ci", "s3cret").ToString().ShouldBe("user ci");
    }
}
