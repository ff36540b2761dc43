using Deploy.Tests.Fixtures;
using Xunit.Abstractions;

[assembly: TestCollectionOrderer("Deploy.Tests.Support.LongestFirstCollectionOrderer", "Deploy.Tests")]

namespace Deploy.Tests.Support;

/// <summary>
/// Starts the longest test collections first. xunit runs as many collections at once as the machine has cores (two
/// here) and starts them in this order: the serial collection of load scenarios takes most of the run, so started
/// last it would end last, minutes after everything else. Then the documentation's blocks; the rest by name.
/// </summary>
public sealed class LongestFirstCollectionOrderer : ITestCollectionOrderer
{
    private static readonly string[] Longest = [HelloApp.Collection, "Test collection for " + typeof(Docs.DocsTests).FullName];

    /// <inheritdoc />
    public IEnumerable<ITestCollection> OrderTestCollections(IEnumerable<ITestCollection> testCollections) =>
        testCollections
            .OrderBy(c => Array.IndexOf(Longest, c.DisplayName) is var rank and >= 0 ? rank : Longest.Length)
            .ThenBy(c => c.DisplayName, StringComparer.Ordinal);
}
