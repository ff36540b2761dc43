using Deploy.Engine.Validation;

namespace Deploy.Tests.Validation;

public sealed class SuggestTests
{
    private static readonly string[] AppFields = ["ID", "Vars", "Colours", "Group", "Health", "Verify", "Proxy", "Hooks", "Secrets", "Standby"];

    [Theory]
    [InlineData("Helth", "Health")]
    [InlineData("health", "Health")]
    [InlineData("Verfiy", "Verify")]
    [InlineData("Colors", "Colours")]
    [InlineData("Secret", "Secrets")]
    [InlineData("Stanbdy", "Standby")]
    public void Closest_TypoWithinTwoEdits_NamesTheField(string typo, string expected) =>
        Suggest.Closest(typo, AppFields).ShouldBe(expected);

    [Theory]
    [InlineData("Replicas")]
    [InlineData("X")]
    [InlineData("Groupings")]
    public void Closest_NothingClose_Null(string name) => Suggest.Closest(name, AppFields).ShouldBeNull();

    [Fact]
    public void Closest_ShortNameOneEditAway_Suggested() => Suggest.Closest("Sise", ["Size", "LogicalIDs"]).ShouldBe("Size");

    [Fact]
    public void Unknown_CloseName_SaysDidYouMeanAndListsKnown() =>
        Suggest.Unknown("field", "Kepp", ["Keep", "DrainTimeout"])
            .ShouldBe("unknown field \"Kepp\": did you mean \"Keep\"? (known: Keep, DrainTimeout)");

    [Fact]
    public void Unknown_NoCloseName_ListsKnown() =>
        Suggest.Unknown("var", "zzz", ["version"]).ShouldBe("unknown var \"zzz\"; remove it or use one of the known: version");
}
