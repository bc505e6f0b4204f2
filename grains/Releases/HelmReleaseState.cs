using Granary.Contracts.Events;
using Granary.Contracts.Releases;
using Granary.Contracts.Resources;
using Granary.Grains.Resources;

namespace Granary.Grains.Releases;

/// <summary>One release in a HelmRelease's history.</summary>
/// <param name="Number">The release number.</param>
/// <param name="Content">What it is made of.</param>
/// <param name="Status">deployed, superseded, failed or uninstalled.</param>
/// <param name="Description">What happened, as <c>helm history</c> says it.</param>
/// <param name="Updated">When.</param>
public sealed record ReleaseRecord(int Number, ReleaseContent Content, string Status, string Description, DateTimeOffset Updated);

/// <summary>A HelmRelease's state: the fold of its events.</summary>
public sealed class HelmReleaseState : ResourceState
{
    /// <summary>The desired state.</summary>
    public HelmReleaseSpec? Spec { get; set; }

    /// <summary>Every release, oldest first (unbounded: the event log is the history).</summary>
    public List<ReleaseRecord> Releases { get; set; } = [];

    /// <summary>The number of the release deployed now, if any.</summary>
    public int? Current { get; set; }

    /// <summary>The objects in the cluster, as Flux inventory ids with versions.</summary>
    public List<string> Inventory { get; set; } = [];

    /// <summary>The reason the last successful action gives the Ready condition.</summary>
    public string? SucceededReason { get; set; }

    /// <summary>The failure of the last install or upgrade, until one succeeds.</summary>
    public UpgradeFailed? ActionFailure { get; set; }

    /// <summary>The remediation that followed the last failure (RollbackSucceeded, UninstallSucceeded), if any.</summary>
    public string? Remediated { get; set; }

    /// <summary>The inputs the failure counters count for.</summary>
    public string? FailedInputs { get; set; }

    /// <summary>Failed installs for <see cref="FailedInputs"/>.</summary>
    public int InstallFailures { get; set; }

    /// <summary>Failed upgrades for <see cref="FailedInputs"/>.</summary>
    public int UpgradeFailures { get; set; }

    /// <summary>The inputs whose retries ran out (nothing is tried for them again).</summary>
    public RemediationExhausted? Exhausted { get; set; }

    /// <summary>A failure before any Helm action (source, values, dependencies, render).</summary>
    public HelmReleaseFailed? Failure { get; set; }

    /// <summary>Objects last reported drifted and not corrected (drift detection mode warn).</summary>
    public List<string> Drifted { get; set; } = [];

    /// <summary>HelmReleases to tell when this one becomes ready.</summary>
    public List<string> Dependents { get; set; } = [];

    /// <summary>For a fleet (<c>spec.clusterSelector</c>): the member HelmRelease of each Cluster, by Cluster key.</summary>
    public Dictionary<string, string> Members { get; set; } = new(StringComparer.Ordinal);

    /// <summary>For a fleet: the generation each member had when last declared, by Cluster key.</summary>
    public Dictionary<string, long> MemberGenerations { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The chart version last attempted.</summary>
    public string? LastAttemptedRevision { get; set; }

    /// <summary>The values digest last attempted.</summary>
    public string? LastAttemptedValuesDigest { get; set; }

    /// <summary>The release deployed now.</summary>
    public ReleaseRecord? CurrentRelease => Current is { } n ? Releases.FirstOrDefault(r => r.Number == n) : null;

    /// <summary>The next release number.</summary>
    public int NextRelease => Releases.Count == 0 ? 1 : Releases.Max(r => r.Number) + 1;

    /// <summary>Folds one event.</summary>
    public HelmReleaseState Apply(object @event)
    {
        if (ApplyCommon(@event))
        {
            return this;
        }

        switch (@event)
        {
            case HelmReleaseSpecApplied applied:
                Exists = true;
                Generation = applied.Generation;
                Spec = applied.Spec;
                Labels = applied.Labels;
                break;
            case ReleaseInstalled installed:
                Succeeded(installed.Generation, installed.Release, installed.Content, "InstallSucceeded", "Install complete", installed.At);
                break;
            case ReleaseUpgraded upgraded:
                Succeeded(upgraded.Generation, upgraded.Release, upgraded.Content, "UpgradeSucceeded", "Upgrade complete", upgraded.At);
                break;
            case UpgradeFailed failed:
                ObservedGeneration = failed.Generation;
                Releases.Add(new ReleaseRecord(failed.Release, failed.Content, "failed",
                    $"{(failed.Action == "install" ? "Release" : "Upgrade")} \"{failed.Content.Chart}\" failed: {failed.Message}", failed.At));
                Inventory = [.. failed.Content.Inventory];
                if (FailedInputs != failed.Inputs)
                {
                    (FailedInputs, InstallFailures, UpgradeFailures) = (failed.Inputs, 0, 0);
                }

                if (failed.Action == "install")
                {
                    InstallFailures++;
                }
                else
                {
                    UpgradeFailures++;
                }

                if (ActionFailure is null && Failure is null)
                {
                    ReadySince = failed.At;
                }

                ActionFailure = failed;
                Remediated = null;
                Failure = null;
                LastAttemptedRevision = failed.Content.ChartVersion;
                LastAttemptedValuesDigest = failed.Content.ValuesDigest;
                break;
            case RolledBack rolledBack:
                var target = Releases.First(r => r.Number == rolledBack.ToRelease);
                Supersede();
                Releases.Add(new ReleaseRecord(rolledBack.Release, target.Content with { Inventory = rolledBack.Inventory }, "deployed",
                    $"Rollback to {rolledBack.ToRelease}", rolledBack.At));
                Current = rolledBack.Release;
                Inventory = [.. rolledBack.Inventory];
                Remediated = "RollbackSucceeded";
                break;
            case Uninstalled uninstalled:
                foreach (var record in Releases.Where(r => r.Status is "deployed").ToList())
                {
                    Releases[Releases.IndexOf(record)] = record with { Status = "uninstalled", Description = "Uninstallation complete", Updated = uninstalled.At };
                }

                Current = null;
                Inventory = [];
                Remediated = "UninstallSucceeded";
                break;
            case RemediationExhausted exhausted:
                Exhausted = exhausted;
                break;
            case HelmReleaseFailed failed:
                ObservedGeneration = failed.Generation;
                if (Failure is null && ActionFailure is null)
                {
                    ReadySince = failed.At;
                }

                Failure = failed;
                break;
            case HelmReleaseObserved observed:
                // The deployed release is what the spec asks for: earlier failures are of inputs no longer wanted.
                ObservedGeneration = observed.Generation;
                if (Failure is not null || ActionFailure is not null)
                {
                    ReadySince = observed.At;
                }

                (Failure, ActionFailure, Exhausted, Remediated, FailedInputs, InstallFailures, UpgradeFailures) = (null, null, null, null, null, 0, 0);
                break;
            case HelmDriftDetected drift:
                Drifted = drift.Corrected ? [] : [.. drift.Objects];
                break;
            case HelmDependentAdded added:
                Dependents.Add(added.Key);
                break;
            case HelmFleetMemberDeclared declared:
                Members[declared.Cluster] = declared.Member;
                MemberGenerations[declared.Cluster] = declared.MemberGeneration;
                break;
            case HelmFleetMemberRemoved removed:
                Members.Remove(removed.Cluster);
                MemberGenerations.Remove(removed.Cluster);
                break;
            case Deleted:
                Exists = false;
                Spec = null;
                Members.Clear();
                MemberGenerations.Clear();
                Current = null;
                Inventory = [];
                Failure = null;
                ActionFailure = null;
                Exhausted = null;
                break;
        }

        return this;
    }

    private void Succeeded(long generation, int number, ReleaseContent content, string reason, string description, DateTimeOffset at)
    {
        Supersede();
        Releases.Add(new ReleaseRecord(number, content, "deployed", description, at));
        Current = number;
        Inventory = [.. content.Inventory];
        ObservedGeneration = generation;
        if (ActionFailure is not null || Failure is not null || ReadySince == default)
        {
            ReadySince = at;
        }

        SucceededReason = reason;
        (ActionFailure, Failure, Exhausted, Remediated, FailedInputs, InstallFailures, UpgradeFailures) = (null, null, null, null, null, 0, 0);
        Drifted = [];
        LastAttemptedRevision = content.ChartVersion;
        LastAttemptedValuesDigest = content.ValuesDigest;
    }

    private void Supersede()
    {
        for (var i = 0; i < Releases.Count; i++)
        {
            if (Releases[i].Status == "deployed")
            {
                Releases[i] = Releases[i] with { Status = "superseded" };
            }
        }
    }
}
