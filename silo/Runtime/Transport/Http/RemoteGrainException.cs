namespace Granary.Runtime.Transport.Http;

/// <summary>A grain on another silo threw an exception this silo cannot recreate as its own type; the type name is kept.</summary>
public sealed class RemoteGrainException(string type, string message) : Exception($"{type}: {message}")
{
    /// <summary>The full name of the exception type the grain threw.</summary>
    public string RemoteType { get; } = type;
}
