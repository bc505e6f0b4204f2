using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Granary.Contracts.Resources;

/// <summary>A duration written the Go way (<c>1m30s</c>, <c>500ms</c>, <c>1.5h</c>), as Flux's YAML uses them.</summary>
[JsonConverter(typeof(GoDurationJsonConverter))]
public readonly record struct GoDuration(TimeSpan Value)
{
    private static readonly (string Unit, double Ticks)[] Units =
    [
        ("ns", 0.01), ("us", 10), ("µs", 10), ("μs", 10), ("ms", TimeSpan.TicksPerMillisecond),
        ("s", TimeSpan.TicksPerSecond), ("m", TimeSpan.TicksPerMinute), ("h", TimeSpan.TicksPerHour),
    ];

    /// <summary>Parses a Go duration; the error says what is wrong and shows valid examples.</summary>
    public static GoDuration Parse(string text) => TryParse(text, out var duration, out var error)
        ? duration
        : throw new FormatException(error);

    /// <summary>Parses a Go duration without throwing.</summary>
    public static bool TryParse(string? text, out GoDuration duration, out string error)
    {
        duration = default;
        error = string.Empty;
        if (string.IsNullOrEmpty(text))
        {
            error = "a duration is required, e.g. '10m', '1m30s' or '1h'";
            return false;
        }

        var rest = text.AsSpan();
        var negative = false;
        if (rest[0] is '+' or '-')
        {
            negative = rest[0] == '-';
            rest = rest[1..];
        }

        if (rest.SequenceEqual("0"))
        {
            return true;
        }

        double ticks = 0;
        if (rest.IsEmpty)
        {
            return Fail(text, out error);
        }

        while (!rest.IsEmpty)
        {
            var digits = 0;
            while (digits < rest.Length && (char.IsAsciiDigit(rest[digits]) || rest[digits] == '.'))
            {
                digits++;
            }

            if (digits == 0 || !double.TryParse(rest[..digits], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount))
            {
                return Fail(text, out error);
            }

            rest = rest[digits..];
            var unitLength = 0;
            while (unitLength < rest.Length && !char.IsAsciiDigit(rest[unitLength]) && rest[unitLength] != '.')
            {
                unitLength++;
            }

            var unit = rest[..unitLength].ToString();
            var scale = Array.Find(Units, u => u.Unit == unit).Ticks;
            if (scale == 0)
            {
                return Fail(text, out error);
            }

            ticks += amount * scale;
            rest = rest[unitLength..];
        }

        if (ticks > TimeSpan.MaxValue.Ticks)
        {
            error = $"'{text}' is too long a duration";
            return false;
        }

        duration = new GoDuration(TimeSpan.FromTicks((long)Math.Round(negative ? -ticks : ticks)));
        return true;
    }

    private static bool Fail(string text, out string error)
    {
        error = $"'{text}' is not a duration; write a number with a unit (ns, us, ms, s, m, h), e.g. '30s', '10m' or '1h30m'";
        return false;
    }

    /// <summary>The Go spelling (<c>1h30m0s</c> style, as Go prints it).</summary>
    public override string ToString()
    {
        var value = Value;
        if (value == TimeSpan.Zero)
        {
            return "0s";
        }

        var text = new StringBuilder();
        if (value < TimeSpan.Zero)
        {
            text.Append('-');
            value = value.Negate();
        }

        if (value < TimeSpan.FromSeconds(1))
        {
            return text.Append(CultureInfo.InvariantCulture, $"{value.TotalMilliseconds:0.###}ms").ToString();
        }

        if (value.TotalHours >= 1)
        {
            text.Append(CultureInfo.InvariantCulture, $"{(long)value.TotalHours}h");
        }

        if (value.TotalMinutes >= 1)
        {
            text.Append(CultureInfo.InvariantCulture, $"{value.Minutes}m");
        }

        var seconds = value.Seconds + value.Milliseconds / 1000.0;
        return text.Append(CultureInfo.InvariantCulture, $"{seconds:0.###}s").ToString();
    }
}

/// <summary>Reads and writes <see cref="GoDuration"/> as a JSON string.</summary>
public sealed class GoDurationJsonConverter : JsonConverter<GoDuration>
{
    /// <inheritdoc />
    public override GoDuration Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new JsonException("a duration is a string such as '10m' or '1m30s'");
        }

        return GoDuration.TryParse(reader.GetString(), out var duration, out var error) ? duration : throw new JsonException(error);
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, GoDuration value, JsonSerializerOptions options) => writer.WriteStringValue(value.ToString());
}
