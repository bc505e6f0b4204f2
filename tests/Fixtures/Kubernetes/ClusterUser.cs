namespace Granary.Testing.Kubernetes;

/// <summary>A user a local cluster authenticates by bearer token. It has only what RBAC gives every authenticated user until a test binds it a role.</summary>
/// <param name="Name">The user name, as an RBAC subject of kind User (or the service account's full name).</param>
/// <param name="Token">The bearer token.</param>
public sealed record ClusterUser(string Name, string Token);
