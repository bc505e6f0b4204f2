using Granary.Grains.Sources.Helm;
using Granary.Grains.Versions;

namespace Granary.Tests.Versions;

/// <summary>Chart version constraints as Helm (Masterminds/semver v3) reads them, beyond the GitRepository semver tables.</summary>
public sealed class Helm_chart_constraints_match_like_helm
{
    [Theory]
    // comparisons with x-ranges cover the whole range
    [InlineData(">=1.x", "1.0.0", true)]
    [InlineData(">=1.x", "0.9.9", false)]
    [InlineData(">1.x", "1.9.9", false)]
    [InlineData(">1.x", "2.0.0", true)]
    [InlineData("<=2.x", "2.99.0", true)]
    [InlineData("<=2.x", "3.0.0", false)]
    [InlineData("<2.x", "1.99.0", true)]
    [InlineData("<2.x", "2.0.0", false)]
    [InlineData("=1.2.x", "1.2.9", true)]
    [InlineData("=1.2.x", "1.3.0", false)]
    [InlineData("x.x.x", "4.5.6", true)]
    [InlineData("1.*.*", "1.5.6", true)]
    [InlineData("~0.2", "0.2.9", true)]
    [InlineData("~0.2", "0.3.0", false)]
    [InlineData("~1.x", "2.0.0", false)]
    [InlineData("^1.x", "1.99.0", true)]
    [InlineData("^1.x", "2.0.0", false)]
    [InlineData("^0.x", "0.99.0", true)]
    [InlineData("^0.x", "1.0.0", false)]
    // operators followed by blanks, commas, both, and the Ruby-style tilde
    [InlineData(">= 1.0.0 < 2.0.0", "1.5.0", true)]
    [InlineData(">= 1.0.0 < 2.0.0", "2.0.0", false)]
    [InlineData(">=1.0.0,<2.0.0", "1.9.9", true)]
    [InlineData(">= 1.2 , < 3", "2.9.9", true)]
    [InlineData("~> 1.2", "1.2.9", true)]
    [InlineData("~> 1.2", "1.3.0", false)]
    [InlineData("  ^1.2.3  ", "1.4.0", true)]
    // OR of several kinds
    [InlineData("^1.2.3 || ^2", "2.5.0", true)]
    [InlineData("^1.2.3 || ^2", "3.0.0", false)]
    [InlineData("~1.2 || 1.4.x || >=3", "1.4.2", true)]
    [InlineData("~1.2 || 1.4.x || >=3", "1.3.0", false)]
    [InlineData("1.2.3 - 1.4 || 2.x", "1.4.9", true)]
    [InlineData("1.2.3 - 1.4 || 2.x", "1.5.0", false)]
    // pre-releases: ordered by their identifiers, matched only when the alternative mentions one
    [InlineData(">1.2.3-alpha.9", "1.2.3-alpha.10", true)]
    [InlineData(">1.2.3-alpha.9", "1.2.3-alpha.beta", true)]
    [InlineData(">1.2.3-alpha", "1.2.3", true)]
    [InlineData("<1.0.0", "1.0.0-alpha", false)]
    [InlineData("<1.0.0-0", "0.9.0", true)]
    [InlineData("~1.2.3-beta.2", "1.2.3-beta.4", true)]
    [InlineData("~1.2.3-beta.2", "1.2.4-beta", true)]
    [InlineData("~1.2.3-beta.2", "1.3.0-beta", false)]
    [InlineData("1.2.3-beta.1 - 1.2.3", "1.2.3-rc.1", true)]
    [InlineData("1.2.3-beta.1 - 1.2.3", "1.2.3-alpha", false)]
    [InlineData("*", "0.0.0", true)]
    [InlineData(">=0.0.0", "0.1.0-rc.1", false)]
    [InlineData(">=0.0.0-0", "0.1.0-rc.1", true)]
    // build metadata in the constraint or the version never matters
    [InlineData("1.2.3+abc", "1.2.3+def", true)]
    [InlineData(">1.2.3", "1.2.3+build.9", false)]
    public void A_chart_version_matches_a_constraint_as_helm_decides(string constraint, string version, bool expected)
    {
        Assert.Equal(expected, SemVerRange.Parse(constraint).IsSatisfiedBy(SemVer.Parse(version)));
    }

    [Theory]
    [InlineData("~")]
    [InlineData("^")]
    [InlineData(">=1.2.3 <")]
    [InlineData("||")]
    [InlineData("1 || || 2")]
    [InlineData("1.2.3 - 2.3.4 - 3")]
    [InlineData(">=1.2.3-")]
    [InlineData("=>1.2.3")]
    [InlineData("1.2.3.x")]
    [InlineData("^1.2.x-beta")]
    public void Malformed_constraints_are_refused(string constraint)
    {
        Assert.False(SemVerRange.TryParse(constraint, out _));
    }

    public static TheoryData<string?, string> Picks => new()
    {
        { null, "2.0.0" },
        { "", "2.0.0" },
        { "*", "2.0.0" },
        { "1.x", "1.10.0" },
        { "<1.10", "1.9.0" },
        { "~1.9", "1.9.0" },
        { ">=2.0.0-0", "2.1.0-rc.2" },
        { "2.1.0-rc.1", "2.1.0-rc.1" },
        { "<1", "0.9.0" },
    };

    [Theory]
    [MemberData(nameof(Picks))]
    public void The_highest_matching_chart_version_is_picked(string? constraint, string expected)
    {
        var versions = new[] { "0.9.0", "1.9.0", "1.10.0", "2.0.0", "2.1.0-rc.1", "2.1.0-rc.2" }.Select(SemVer.Parse).ToList();

        Assert.Equal(expected, ChartVersionResolver.Resolve("demo", constraint, versions, v => v, "the index").Original);
    }

    [Fact]
    public void No_match_lists_the_newest_five_versions_newest_first()
    {
        var versions = Enumerable.Range(1, 9).Select(i => SemVer.Parse($"1.{i}.0")).ToList();

        var error = Assert.Throws<Granary.Contracts.Sources.HelmChartException>(() => ChartVersionResolver.Resolve("demo", ">=2", versions, v => v, "the index"));

        Assert.Equal("NoMatchingVersion", error.Reason);
        Assert.Contains("the newest are 1.9.0, 1.8.0, 1.7.0, 1.6.0, 1.5.0;", error.Message);
    }
}
