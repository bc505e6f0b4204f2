using Granary.Grains.Versions;

namespace Granary.Tests.Versions;

public sealed class Semantic_versions_order_by_precedence
{
    [Theory]
    [InlineData("1.0.0", 1ul, 0ul, 0ul, "", "")]
    [InlineData("v2.10.3", 2ul, 10ul, 3ul, "", "")]
    [InlineData("1.2.3-rc.1+build.5", 1ul, 2ul, 3ul, "rc.1", "build.5")]
    [InlineData("0.0.0-0", 0ul, 0ul, 0ul, "0", "")]
    [InlineData("1.0.0+001", 1ul, 0ul, 0ul, "", "001")]
    public void Valid_versions_parse_into_their_parts(string text, ulong major, ulong minor, ulong patch, string prerelease, string build)
    {
        var version = SemVer.Parse(text);

        Assert.Equal((major, minor, patch), (version.Major, version.Minor, version.Patch));
        Assert.Equal(prerelease, string.Join('.', version.Prerelease));
        Assert.Equal(build, version.Build);
        Assert.Equal(text, version.Original);
    }

    [Theory]
    [InlineData("")]
    [InlineData("1")]
    [InlineData("1.2")]
    [InlineData("1.2.3.4")]
    [InlineData("01.2.3")]
    [InlineData("1.02.3")]
    [InlineData("1.2.3-01")]
    [InlineData("1.2.3-")]
    [InlineData("1.2.3-a..b")]
    [InlineData("1.2.3+")]
    [InlineData("1.2.3-beta_1")]
    [InlineData("latest")]
    [InlineData("vv1.2.3")]
    public void Invalid_versions_are_refused(string text)
    {
        Assert.False(SemVer.TryParse(text, out _));
        var error = Assert.Throws<FormatException>(() => SemVer.Parse(text));
        Assert.Contains("not a semantic version", error.Message);
    }

    [Fact]
    public void Versions_sort_as_the_specification_lists_them()
    {
        // The precedence example from semver.org section 11, plus numeric-versus-text cases.
        string[] ordered =
        [
            "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2", "1.0.0-beta.11",
            "1.0.0-rc.1", "1.0.0", "1.0.1", "1.1.0", "1.9.0", "1.10.0", "2.0.0-0", "2.0.0", "10.0.0",
        ];
        var shuffled = ordered.Reverse().Select(SemVer.Parse).ToList();

        shuffled.Sort();

        Assert.Equal(ordered, shuffled.Select(v => v.Original));
    }

    [Theory]
    [InlineData("1.0.0+a", "1.0.0+b")]
    [InlineData("v1.0.0", "1.0.0")]
    public void Build_metadata_and_the_v_prefix_do_not_change_precedence(string left, string right)
    {
        Assert.Equal(0, SemVer.Parse(left).CompareTo(SemVer.Parse(right)));
        Assert.Equal(SemVer.Parse(left), SemVer.Parse(right));
    }
}
