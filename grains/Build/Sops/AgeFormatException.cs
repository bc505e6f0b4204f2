namespace Granary.Grains.Build.Sops;

/// <summary>An age file that is malformed or fails authentication; the message never holds key or plaintext bytes.</summary>
public class AgeFormatException(string message) : FormatException(message);

/// <summary>An age file none of whose stanzas any of the given identities can open.</summary>
public sealed class AgeNoIdentityMatchedException()
    : AgeFormatException("no identity matched any recipient stanza of the age file");
