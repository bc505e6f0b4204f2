namespace Granary.Grains.Build.Sops;

/// <summary>
/// BIP173 Bech32 as age uses it (no length limit): encodes recipients, decodes identities. Errors never
/// echo the input, because the input is usually a private key.
/// </summary>
internal static class Bech32
{
    private const string Charset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
    private const int ChecksumLength = 6;

    /// <summary>Decodes a Bech32 string into its human-readable part (lower case) and data bytes.</summary>
    public static (string Hrp, byte[] Data) Decode(string text)
    {
        if (text.Any(char.IsUpper) && text.Any(char.IsLower))
        {
            throw new FormatException("mixes upper and lower case, which Bech32 forbids");
        }

        var lower = text.ToLowerInvariant();
        var separator = lower.LastIndexOf('1');
        if (separator < 1 || lower.Length - separator - 1 < ChecksumLength)
        {
            throw new FormatException("is not Bech32 (no separator or too short)");
        }

        var hrp = lower[..separator];
        if (hrp.Any(c => c is < (char)33 or > (char)126))
        {
            throw new FormatException("has characters outside the Bech32 range");
        }

        var values = new byte[lower.Length - separator - 1];
        for (var i = 0; i < values.Length; i++)
        {
            var index = Charset.IndexOf(lower[separator + 1 + i]);
            if (index < 0)
            {
                throw new FormatException("has characters outside the Bech32 alphabet");
            }

            values[i] = (byte)index;
        }

        if (Polymod(ExpandHrp(hrp).Concat(values)) != 1)
        {
            throw new FormatException("has a wrong Bech32 checksum (mistyped or truncated)");
        }

        var data = ConvertBits(values.AsSpan(0, values.Length - ChecksumLength), 5, 8, pad: false);
        Array.Clear(values);
        return (hrp, data);
    }

    /// <summary>Encodes data bytes under a human-readable part, in lower case.</summary>
    public static string Encode(string hrp, ReadOnlySpan<byte> data)
    {
        var values = ConvertBits(data, 8, 5, pad: true);
        var checksumInput = ExpandHrp(hrp).Concat(values).Concat(new byte[ChecksumLength]);
        var polymod = Polymod(checksumInput) ^ 1;
        var builder = new System.Text.StringBuilder(hrp.Length + 1 + values.Length + ChecksumLength);
        builder.Append(hrp).Append('1');
        foreach (var value in values)
        {
            builder.Append(Charset[value]);
        }

        for (var i = 0; i < ChecksumLength; i++)
        {
            builder.Append(Charset[(int)((polymod >> (5 * (5 - i))) & 31)]);
        }

        return builder.ToString();
    }

    private static IEnumerable<byte> ExpandHrp(string hrp) =>
        hrp.Select(c => (byte)(c >> 5)).Append((byte)0).Concat(hrp.Select(c => (byte)(c & 31)));

    private static uint Polymod(IEnumerable<byte> values)
    {
        uint[] generator = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];
        uint checksum = 1;
        foreach (var value in values)
        {
            var top = checksum >> 25;
            checksum = ((checksum & 0x1ffffff) << 5) ^ value;
            for (var i = 0; i < 5; i++)
            {
                if (((top >> i) & 1) != 0)
                {
                    checksum ^= generator[i];
                }
            }
        }

        return checksum;
    }

    private static byte[] ConvertBits(ReadOnlySpan<byte> input, int fromBits, int toBits, bool pad)
    {
        var output = new byte[(input.Length * fromBits + toBits - 1) / toBits];
        var count = 0;
        var accumulator = 0;
        var bits = 0;
        var maxValue = (1 << toBits) - 1;
        var maxAccumulator = (1 << (fromBits + toBits - 1)) - 1;
        foreach (var value in input)
        {
            accumulator = ((accumulator << fromBits) | value) & maxAccumulator;
            bits += fromBits;
            while (bits >= toBits)
            {
                bits -= toBits;
                output[count++] = (byte)((accumulator >> bits) & maxValue);
            }
        }

        if (pad)
        {
            if (bits > 0)
            {
                output[count++] = (byte)((accumulator << (toBits - bits)) & maxValue);
            }
        }
        else if (bits >= fromBits || ((accumulator << (toBits - bits)) & maxValue) != 0)
        {
            throw new FormatException("has non-zero Bech32 padding");
        }

        if (count == output.Length)
        {
            return output;
        }

        var result = output[..count];
        // The oversized buffer held key bytes too.
        Array.Clear(output);
        return result;
    }
}
