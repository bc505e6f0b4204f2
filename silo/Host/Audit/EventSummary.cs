using Granary.Contracts.Events;
using Granary.Grains.Sources.Git;

namespace Granary.Silo.Audit;

/// <summary>One line saying what an event means, for timelines: names revisions, counts and reasons, never secret values.</summary>
public static class EventSummary
{
    private const int MaxMessage = 300;

    /// <summary>The line for <paramref name="data"/>, an event payload.</summary>
    public static string Describe(object data) => data switch
    {
        KustomizationSpecApplied spec => $"spec applied (generation {spec.Generation}): source {spec.Spec.SourceRef.Kind}/{spec.Spec.SourceRef.Name}, path {spec.Spec.Path ?? "./"}, interval {spec.Spec.Interval}, prune {(spec.Spec.Prune ? "on" : "off")}{(spec.Spec.Suspend ? ", suspend: true" : string.Empty)}",
        GitRepositorySpecApplied spec => $"spec applied (generation {spec.Generation}): {GitRepositoryUrl.Redact(spec.Spec.Url)}{Ref(spec)}, interval {spec.Spec.Interval}{(spec.Spec.Suspend ? ", suspend: true" : string.Empty)}",
        Applied applied => $"applied revision {applied.Revision}: {Changes(applied.Changes)}; inventory {applied.Inventory.Count} objects",
        ApplyFailed failed => $"reconcile failed at revision {Or(failed.Revision, "(none)")}: {failed.Reason}: {Shorten(failed.Message)}",
        DependencyNotReady waiting => $"waiting for dependency {waiting.Dependency} at revision {waiting.Revision}",
        DependentAdded dependent => $"dependent Kustomization {dependent.Key} will be told when this is ready",
        Pruned pruned => $"pruned {pruned.Objects.Count} objects at revision {pruned.Revision}: {List(pruned.Objects)}",
        DriftCorrected drift => $"corrected drift of {drift.Objects.Count} objects at revision {drift.Revision}: {List(drift.Objects)}",
        HealthChecked health => $"health checks passed at revision {health.Revision}",
        ArtifactFetched fetched => $"stored artifact for revision {fetched.Revision} ({fetched.Size} bytes, {fetched.Digest})",
        FetchSucceeded succeeded => $"fetch succeeded at revision {succeeded.Revision} (generation {succeeded.Generation} observed)",
        FetchFailed failed => $"fetch failed: {failed.Reason}: {Shorten(failed.Message)}",
        SubscriberAdded subscriber => $"{subscriber.Kind} {subscriber.Key} subscribed to new artifacts",
        HelmChartSpecApplied spec => $"spec applied (generation {spec.Generation}): chart {spec.Spec.Chart} {spec.Spec.Version ?? "*"} from {spec.Spec.SourceRef.Kind}/{spec.Spec.SourceRef.Name}, interval {spec.Spec.Interval}{(spec.Spec.Suspend ? ", suspend: true" : string.Empty)}",
        HelmChartArtifactStored stored => $"stored chart {stored.Chart} {stored.Version} ({stored.Size} bytes, {stored.Digest}){(stored.SourceRevision is { } revision ? $" from source revision {revision}" : string.Empty)}",
        HelmChartPullSucceeded succeeded => $"pull succeeded (generation {succeeded.Generation} observed)",
        HelmChartPullFailed failed => $"pull failed: {failed.Reason}: {Shorten(failed.Message)}",
        HelmChartSubscriberAdded subscriber => $"{subscriber.Kind} {subscriber.Key} subscribed to new charts",
        OCIRepositorySpecApplied spec => $"spec applied (generation {spec.Generation}): {spec.Spec.Url}{OciRef(spec.Spec.Ref)}, interval {spec.Spec.Interval}{(spec.Spec.Suspend ? ", suspend: true" : string.Empty)}",
        OCIArtifactStored stored => $"stored artifact for revision {stored.Revision} ({stored.MediaType}, {stored.Size} bytes, {stored.Digest})",
        OCIArtifactPullSucceeded succeeded => $"pull succeeded (generation {succeeded.Generation} observed)",
        OCIArtifactPullFailed failed => $"pull failed: {failed.Reason}: {Shorten(failed.Message)}",
        OCIRepositorySubscriberAdded subscriber => $"{subscriber.Kind} {subscriber.Key} subscribed to new artifacts",
        Suspended suspended => suspended.Reason is { Length: > 0 } reason ? $"suspended: {Shorten(reason)}" : "suspended",
        Resumed => "resumed",
        ReconcileRequested requested => requested.WithSource ? "reconcile requested, with its source" : "reconcile requested",
        Deleted => "deleted",
        _ => data.GetType().Name,
    };

    private static string Ref(GitRepositorySpecApplied spec) => spec.Spec.Ref switch
    {
        null => string.Empty,
        { Commit: { } commit } => $" commit {commit}",
        { Name: { } name } => $" ref {name}",
        { Semver: { } semver } => $" semver {semver}",
        { Tag: { } tag } => $" tag {tag}",
        { Branch: { } branch } => $" branch {branch}",
        _ => string.Empty,
    };

    private static string OciRef(Granary.Contracts.Resources.OCIRepositoryRef? reference) => reference switch
    {
        { Digest: { Length: > 0 } digest } => $" digest {digest}",
        { Semver: { Length: > 0 } semver } => $" semver {semver}",
        { Tag: { Length: > 0 } tag } => $" tag {tag}",
        _ => " tag latest",
    };

    private static string Changes(IReadOnlyList<string> changes)
    {
        if (changes.Count == 0)
        {
            return "no object changed";
        }

        var byAction = changes.GroupBy(c => c[(c.LastIndexOf(' ') + 1)..]).Select(g => $"{g.Count()} {g.Key}");
        return string.Join(", ", byAction);
    }

    private static string List(IReadOnlyList<string> objects) =>
        objects.Count <= 5 ? string.Join(", ", objects) : $"{string.Join(", ", objects.Take(5))} and {objects.Count - 5} more";

    private static string Or(string value, string fallback) => value.Length > 0 ? value : fallback;

    private static string Shorten(string message)
    {
        var line = message.ReplaceLineEndings(" ");
        return line.Length <= MaxMessage ? line : line[..MaxMessage] + "…";
    }
}
