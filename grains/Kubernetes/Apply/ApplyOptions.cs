using Granary.Grains.Kubernetes.Objects;

namespace Granary.Grains.Kubernetes.Apply;

/// <summary>How an apply behaves, mirroring a Kustomization's spec: prune, force, wait, timeout, healthChecks.</summary>
public sealed record ApplyOptions
{
    /// <summary>Delete objects of the previous inventory that are no longer in the manifests.</summary>
    public bool Prune { get; init; }

    /// <summary>Delete and recreate objects whose change touches an immutable field, instead of failing.</summary>
    public bool Force { get; init; }

    /// <summary>Wait until every applied object is healthy.</summary>
    public bool Wait { get; init; }

    /// <summary>The deadline for waiting (CRDs to be Established, objects to be healthy).</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Further objects whose health to wait for (e.g. ones a HelmRelease creates), even without <see cref="Wait"/>.</summary>
    public IReadOnlyList<ObjectReference> HealthChecks { get; init; } = [];

    /// <summary>The namespace for namespaced objects that name none (a Kustomization's targetNamespace); null makes that an error.</summary>
    public string? DefaultNamespace { get; init; }
}
