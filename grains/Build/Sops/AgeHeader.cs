using System.Text;

namespace Granary.Grains.Build.Sops;

/// <summary>One recipient stanza of an age header: its type, further arguments and body.</summary>
internal sealed record AgeStanza(string Type, IReadOnlyList<string> Arguments, byte[] Body);

/// <summary>
/// The textual header of an age v1 file: recipient stanzas, the header MAC, the bytes the MAC covers, and
/// where the binary payload starts.
/// </summary>
internal sealed record AgeHeader(IReadOnlyList<AgeStanza> Stanzas, byte[] Mac, byte[] MacedBytes, int PayloadOffset)
{
    private const string VersionLine = "age-encryption.org/v1";
    private const int ColumnsPerLine = 64;

    /// <summary>Parses the header at the start of a binary age file.</summary>
    public static AgeHeader Parse(byte[] file)
    {
        var position = 0;
        if (ReadLine(file, ref position) != VersionLine)
        {
            throw new AgeFormatException("the age file does not start with the age-encryption.org/v1 version line");
        }

        var stanzas = new List<AgeStanza>();
        while (true)
        {
            var lineStart = position;
            var line = ReadLine(file, ref position);
            if (line.StartsWith("-> ", StringComparison.Ordinal))
            {
                var arguments = line[3..].Split(' ');
                if (arguments.Any(argument => argument.Length == 0))
                {
                    throw new AgeFormatException("an age recipient stanza has an empty argument");
                }

                stanzas.Add(new AgeStanza(arguments[0], arguments[1..], ReadBody(file, ref position)));
            }
            else if (line.StartsWith("--- ", StringComparison.Ordinal))
            {
                if (stanzas.Count == 0)
                {
                    throw new AgeFormatException("the age header has no recipient stanza");
                }

                var mac = DecodeRawBase64(line[4..], "header MAC");
                // The MAC covers the header up to and including "---", without the space after it.
                return new AgeHeader(stanzas, mac, file[..(lineStart + 3)], position);
            }
            else
            {
                throw new AgeFormatException("the age header has a line that is neither a stanza nor the MAC line");
            }
        }
    }

    /// <summary>Decodes unpadded, canonical base64 as the age header uses it.</summary>
    public static byte[] DecodeRawBase64(string text, string what)
    {
        if (text.Contains('=') || text.Length % 4 == 1)
        {
            throw new AgeFormatException($"the age {what} is not unpadded base64");
        }

        var padded = text.PadRight(text.Length + (4 - text.Length % 4) % 4, '=');
        try
        {
            var bytes = Convert.FromBase64String(padded);
            // Canonical means the unused low bits of the last character are zero.
            if (Convert.ToBase64String(bytes).TrimEnd('=') != text)
            {
                throw new AgeFormatException($"the age {what} is not canonical base64");
            }

            return bytes;
        }
        catch (FormatException exception) when (exception is not AgeFormatException)
        {
            throw new AgeFormatException($"the age {what} is not valid base64");
        }
    }

    private static byte[] ReadBody(byte[] file, ref int position)
    {
        var body = new StringBuilder();
        while (true)
        {
            var line = ReadLine(file, ref position);
            if (line.Length > ColumnsPerLine)
            {
                throw new AgeFormatException("an age stanza body has a line longer than 64 columns");
            }

            body.Append(line);
            // A body ends with its first line shorter than a full one (possibly empty).
            if (line.Length < ColumnsPerLine)
            {
                return DecodeRawBase64(body.ToString(), "stanza body");
            }
        }
    }

    private static string ReadLine(byte[] file, ref int position)
    {
        var end = Array.IndexOf(file, (byte)'\n', position);
        if (end < 0)
        {
            throw new AgeFormatException("the age header ends before its MAC line");
        }

        var line = file.AsSpan(position, end - position);
        foreach (var b in line)
        {
            if (b is < 0x20 or > 0x7e)
            {
                throw new AgeFormatException("the age header has a non-printable character");
            }
        }

        position = end + 1;
        return Encoding.ASCII.GetString(line);
    }
}
