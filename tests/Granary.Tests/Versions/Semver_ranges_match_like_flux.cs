using Granary.Grains.Versions;

namespace Granary.Tests.Versions;

public sealed class Semver_ranges_match_like_flux
{
    [Theory]
    // exact and comparison operators
    [InlineData("1.2.3", "1.2.3", true)]
    [InlineData("1.2.3", "1.2.4", false)]
    [InlineData("=1.2.3", "1.2.3", true)]
    [InlineData("v1.2.3", "1.2.3", true)]
    [InlineData("!=1.2.3", "1.2.3", false)]
    [InlineData("!=1.2.3", "1.2.4", true)]
    [InlineData("!=1.2", "1.2.9", false)]
    [InlineData("!=1.2", "1.3.0", true)]
    [InlineData(">1.2.3", "1.2.4", true)]
    [InlineData(">1.2.3", "1.2.3", false)]
    [InlineData(">=1.2.3", "1.2.3", true)]
    [InlineData(">=1.2.3", "1.2.2", false)]
    [InlineData("<1.2.3", "1.2.2", true)]
    [InlineData("<1.2.3", "1.2.3", false)]
    [InlineData("<=1.2.3", "1.2.3", true)]
    [InlineData("<=1.2.3", "1.2.4", false)]
    [InlineData(">= 1.2.3", "1.5.0", true)]
    // partial versions on comparisons cover the whole partial range
    [InlineData(">1.2", "1.2.9", false)]
    [InlineData(">1.2", "1.3.0", true)]
    [InlineData(">=1.2", "1.2.0", true)]
    [InlineData("<1.2", "1.1.9", true)]
    [InlineData("<1.2", "1.2.0", false)]
    [InlineData("<=1.2", "1.2.99", true)]
    [InlineData("<=1.2", "1.3.0", false)]
    // AND by space and by comma
    [InlineData(">=1.2.0 <2.0.0", "1.9.9", true)]
    [InlineData(">=1.2.0 <2.0.0", "2.0.0", false)]
    [InlineData(">= 1.2, < 2", "1.5.0", true)]
    [InlineData(">= 1.2, < 2", "2.0.1", false)]
    // OR
    [InlineData("1.x || >=3.0.0", "1.4.0", true)]
    [InlineData("1.x || >=3.0.0", "2.4.0", false)]
    [InlineData("1.x || >=3.0.0", "3.0.0", true)]
    [InlineData("<1.0.0||>2.0.0", "2.0.1", true)]
    // tilde
    [InlineData("~1.2.3", "1.2.3", true)]
    [InlineData("~1.2.3", "1.2.9", true)]
    [InlineData("~1.2.3", "1.3.0", false)]
    [InlineData("~1.2.3", "1.2.2", false)]
    [InlineData("~1.2", "1.2.0", true)]
    [InlineData("~1.2", "1.3.0", false)]
    [InlineData("~1", "1.9.0", true)]
    [InlineData("~1", "2.0.0", false)]
    [InlineData("~>1.2", "1.2.7", true)]
    [InlineData("~1.x", "1.7.0", true)]
    // caret
    [InlineData("^1.2.3", "1.2.3", true)]
    [InlineData("^1.2.3", "1.9.0", true)]
    [InlineData("^1.2.3", "2.0.0", false)]
    [InlineData("^1.2.3", "1.2.2", false)]
    [InlineData("^0.2.3", "0.2.9", true)]
    [InlineData("^0.2.3", "0.3.0", false)]
    [InlineData("^0.0.3", "0.0.3", true)]
    [InlineData("^0.0.3", "0.0.4", false)]
    [InlineData("^0.0", "0.0.9", true)]
    [InlineData("^0.0", "0.1.0", false)]
    [InlineData("^0", "0.9.9", true)]
    [InlineData("^0", "1.0.0", false)]
    [InlineData("^1.2", "1.9.0", true)]
    [InlineData("^1", "2.0.0", false)]
    // x-ranges and partial versions
    [InlineData("*", "3.4.5", true)]
    [InlineData("x", "0.0.1", true)]
    [InlineData("1.2.x", "1.2.7", true)]
    [InlineData("1.2.x", "1.3.0", false)]
    [InlineData("1.2.*", "1.2.0", true)]
    [InlineData("1.x", "1.99.0", true)]
    [InlineData("1.X", "2.0.0", false)]
    [InlineData("1.2", "1.2.5", true)]
    [InlineData("1", "1.5.0", true)]
    [InlineData("1", "2.0.0", false)]
    // hyphen ranges
    [InlineData("1.2.3 - 2.3.4", "1.2.3", true)]
    [InlineData("1.2.3 - 2.3.4", "2.3.4", true)]
    [InlineData("1.2.3 - 2.3.4", "2.3.5", false)]
    [InlineData("1.2 - 2.3", "2.3.9", true)]
    [InlineData("1.2 - 2.3", "2.4.0", false)]
    [InlineData("1.2 - 2.3", "1.1.9", false)]
    [InlineData("1.2.3 - *", "9.0.0", true)]
    // pre-releases only match when the range (the OR-branch) mentions one
    [InlineData(">=1.0.0", "1.5.0-rc.1", false)]
    [InlineData("*", "1.0.0-alpha", false)]
    [InlineData("^1.2.3", "1.3.0-beta", false)]
    [InlineData(">=1.2.3-0", "1.2.3-alpha", true)]
    [InlineData(">=1.2.3-0", "1.5.0-rc.1", true)]
    [InlineData("^1.2.3-beta.2", "1.2.3-beta.3", true)]
    [InlineData("^1.2.3-beta.2", "1.2.3-beta.1", false)]
    [InlineData("^1.2.3-beta.2", "2.0.0-alpha", false)]
    [InlineData("~1.2.3-rc.1", "1.2.3", true)]
    [InlineData("1.0.0-rc.1", "1.0.0-rc.1", true)]
    [InlineData(">=2.0.0-0 || 1.x", "1.5.0-beta", false)]
    [InlineData(">=2.0.0-0 || 1.x", "2.1.0-beta", true)]
    // build metadata is ignored
    [InlineData("1.2.3", "1.2.3+build.7", true)]
    public void A_version_matches_a_range_as_masterminds_semver_would_decide(string range, string version, bool expected)
    {
        Assert.Equal(expected, SemVerRange.Parse(range).IsSatisfiedBy(SemVer.Parse(version)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData(">=")]
    [InlineData("1.2.3 ||")]
    [InlineData("1.2.3.4")]
    [InlineData("latest")]
    [InlineData(">=a.b")]
    [InlineData("1.x.3")]
    [InlineData("1.2-beta")]
    [InlineData("1.2.3 -")]
    public void Malformed_ranges_are_refused_with_a_hint(string range)
    {
        Assert.False(SemVerRange.TryParse(range, out _));
        var error = Assert.Throws<FormatException>(() => SemVerRange.Parse(range));
        Assert.Contains("is not a semver range", error.Message);
        Assert.Contains("'^1.2.3'", error.Message);
    }

    [Fact]
    public void The_highest_matching_version_wins()
    {
        var tags = new[] { "v0.9.0", "v1.0.0", "v1.4.2", "v1.10.0", "v2.0.0", "v1.11.0-rc.1" }.Select(SemVer.Parse).ToList();

        Assert.Equal("v1.10.0", SemVerRange.Parse("^1.0").Highest(tags)?.Original);
        Assert.Equal("v1.11.0-rc.1", SemVerRange.Parse(">=1.0.0-0 <2.0.0").Highest(tags)?.Original);
        Assert.Equal("v2.0.0", SemVerRange.Parse("*").Highest(tags)?.Original);
        Assert.Null(SemVerRange.Parse(">=3").Highest(tags));
    }
}
