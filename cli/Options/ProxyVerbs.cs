using CommandLine;

namespace Deploy.Cli.Options;

[Verb("boot", HelpText = "Start the app's proxy container (Container, Boot in the proxy's properties) when it is missing or stopped; a running one is left as it is.")]
public sealed class ProxyBootOptions : AppOptions
{
}

/// <summary>Listed in the top-level help only.</summary>
[Verb("proxy", HelpText = "The proxy in a container: boot.")]
public sealed class ProxyNoun
{
}
