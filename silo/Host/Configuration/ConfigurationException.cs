namespace Granary.Silo.Configuration;

/// <summary>The configuration is invalid; the message names the source (file, variable or flag), the key and the fix.</summary>
public sealed class ConfigurationException(string message) : Exception(message);
