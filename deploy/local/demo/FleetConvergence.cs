namespace Granary.Demo;

/// <summary>
/// When the demo fleet has converged: every resource Granary lists is Ready, and the root Kustomization and every
/// GitRepository and Kustomization are at the fleet repository's head commit. A layer declares the next layer's
/// resources before it records its own apply, so a list with everything Ready at head cannot be missing a resource.
/// </summary>
public static class FleetConvergence
{
    /// <summary>The root Kustomization's name (<c>clusters/fleet.yaml</c>).</summary>
    public const string Root = "fleet";

    /// <summary>Whether <paramref name="rows"/> show the fleet converged at commit <paramref name="head"/>.</summary>
    public static bool IsConverged(IReadOnlyList<ResourceRow> rows, string head) =>
        rows.Any(r => r is { Kind: "Kustomization", Name: Root })
        && rows.All(r => r.IsReady && (r.Kind is not ("Kustomization" or "GitRepository") || AtCommit(r.Revision, head)));

    /// <summary>The rows that keep the fleet from having converged.</summary>
    public static IReadOnlyList<ResourceRow> Pending(IReadOnlyList<ResourceRow> rows, string head) =>
        [.. rows.Where(r => !r.IsReady || (r.Kind is "Kustomization" or "GitRepository" && !AtCommit(r.Revision, head)))];

    /// <summary>Whether a Flux revision (<c>main@sha1:&lt;sha&gt;</c>) names <paramref name="head"/>.</summary>
    public static bool AtCommit(string? revision, string head) => revision is not null && revision.EndsWith(head, StringComparison.Ordinal);
}
