using Granary.Contracts.Resources;

namespace Granary.Tests.Resources;

public sealed class Go_durations_parse_like_go
{
    [Theory]
    [InlineData("0", 0)]
    [InlineData("10s", 10_000)]
    [InlineData("1m30s", 90_000)]
    [InlineData("1h", 3_600_000)]
    [InlineData("1.5h", 5_400_000)]
    [InlineData("500ms", 500)]
    [InlineData("2h45m", 9_900_000)]
    [InlineData("1h1m1s1ms", 3_661_001)]
    [InlineData("-5s", -5_000)]
    [InlineData("+5s", 5_000)]
    [InlineData("1000us", 1)]
    public void Valid_durations(string text, long milliseconds) =>
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), GoDuration.Parse(text).Value);

    [Theory]
    [InlineData("")]
    [InlineData("10")]
    [InlineData("5x")]
    [InlineData("m")]
    [InlineData("1d")]
    [InlineData("10 m")]
    [InlineData("-")]
    public void Invalid_durations_say_how_to_write_one(string text)
    {
        var error = Assert.Throws<FormatException>(() => GoDuration.Parse(text));
        Assert.Contains("e.g.", error.Message);
    }

    [Theory]
    [InlineData("1m30s", "1m30s")]
    [InlineData("10m", "10m0s")]
    [InlineData("2h", "2h0m0s")]
    [InlineData("500ms", "500ms")]
    [InlineData("0", "0s")]
    public void Durations_print_the_go_way(string text, string printed) => Assert.Equal(printed, GoDuration.Parse(text).ToString());
}
