using System.Text;

namespace Granary.Grains.Build.Sops;

/// <summary>The PEM-like ASCII armor age writes with <c>-a</c> (and sops stores in <c>sops.age[].enc</c>).</summary>
internal static class AgeArmor
{
    private const string Begin = "-----BEGIN AGE ENCRYPTED FILE-----";
    private const string End = "-----END AGE ENCRYPTED FILE-----";

    /// <summary>Whether the bytes start (after whitespace) with the armor's begin line.</summary>
    public static bool IsArmored(ReadOnlySpan<byte> file)
    {
        var start = 0;
        while (start < file.Length && file[start] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
        {
            start++;
        }

        return file[start..].StartsWith(Encoding.ASCII.GetBytes(Begin));
    }

    /// <summary>Decodes an armored age file into its binary form.</summary>
    public static byte[] Decode(ReadOnlySpan<byte> file)
    {
        var text = Encoding.ASCII.GetString(file).Trim();
        if (!text.StartsWith(Begin, StringComparison.Ordinal) || !text.EndsWith(End, StringComparison.Ordinal))
        {
            throw new AgeFormatException("the armored age file does not start with its BEGIN line and end with its END line");
        }

        var lines = text[Begin.Length..^End.Length].Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (lines.Any(line => line.Length > 64))
        {
            throw new AgeFormatException("the armored age file has a line longer than 64 columns");
        }

        try
        {
            return Convert.FromBase64String(string.Concat(lines));
        }
        catch (FormatException)
        {
            throw new AgeFormatException("the armored age file is not valid base64");
        }
    }
}
