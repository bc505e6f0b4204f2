using Granary.Contracts.Resources;
using Granary.Contracts.Sources;

namespace Granary.Grains.Sources;

/// <summary>A source's status as Flux shows it: Ready False with Stalled (bad spec) or Reconciling (retrying) after a failure, Ready True with an artifact, else progressing.</summary>
public static class SourceConditions
{
    /// <summary>The status of <paramref name="state"/>; a failure whose reason is in <paramref name="stalledReasons"/> is one a retry cannot fix.</summary>
    public static SourceStatus StatusOf(SourceState state, bool specSuspended, string readyMessage, string progressing, GoDuration? interval, params string[] stalledReasons)
    {
        if (!state.Exists)
        {
            return new SourceStatus(false, state.Generation, state.ObservedGeneration, false, [], null);
        }

        var conditions = new List<Condition>();
        if (state.Failure is { } failed)
        {
            conditions.Add(new Condition("Ready", "False", failed.Reason, failed.Message, state.ObservedGeneration, state.ReadySince));
            conditions.Add(stalledReasons.Contains(failed.Reason)
                ? new Condition("Stalled", "True", failed.Reason, failed.Message, state.ObservedGeneration, state.ReadySince)
                : new Condition("Reconciling", "True", "ProgressingWithRetry", $"retrying every {interval}", state.ObservedGeneration, state.ReadySince));
        }
        else if (state.Artifact is not null)
        {
            conditions.Add(new Condition("Ready", "True", "Succeeded", readyMessage, state.ObservedGeneration, state.ReadySince));
        }
        else
        {
            conditions.Add(new Condition("Ready", "Unknown", "Progressing", progressing, state.Generation, state.ReadySince));
            conditions.Add(new Condition("Reconciling", "True", "Progressing", progressing, state.Generation, state.ReadySince));
        }

        return new SourceStatus(true, state.Generation, state.ObservedGeneration, state.Suspended || specSuspended, conditions, state.Artifact);
    }
}
