namespace Granary.Testing.Kubernetes;

/// <summary>A local control plane process did not start or died; the message names it and ends with the tail of its log.</summary>
public sealed class ControlPlaneFailedException(string message) : Exception(message);
