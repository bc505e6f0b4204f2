using System.Net;

namespace Granary.Testing.Kubernetes;

/// <summary>The API server refused a fixture's request; <see cref="StatusCode"/> says how.</summary>
public sealed class KubernetesApiException(HttpStatusCode statusCode, string message) : Exception(message)
{
    /// <summary>The HTTP status the API server answered with.</summary>
    public HttpStatusCode StatusCode { get; } = statusCode;
}
