using Granary.Testing;

namespace Granary.Tests.Host;

public sealed class Metrics_show_reconcile_durations_and_readiness : HostTestBase
{
    [Fact]
    public async Task The_metrics_endpoint_has_fluxs_histogram_readiness_events_and_grain_figures()
    {
        await ApplyOkAsync(GitRepositoryYaml("fleet"));
        using (var reconcile = await Admin.PostAsync(ResourcePath("GitRepository", "fleet", "reconcile"), null))
        {
            Assert.True(reconcile.IsSuccessStatusCode);
        }

        var labels = $"kind=\"GitRepository\",name=\"fleet\",namespace=\"{Ns}\"";

        var text = string.Empty;
        await Eventually.WaitUntilAsync(async () =>
        {
            text = await Anonymous.GetStringAsync("/metrics");
            return text.Contains($"granary_resource_ready{{{labels}}} 1", StringComparison.Ordinal)
                && text.Contains("granary_events_appended_total{type=\"gitrepository.artifact-fetched\"}", StringComparison.Ordinal);
        }, Deadline, "the resource to show as ready and its events as counted");

        Assert.Contains("# TYPE gotk_reconcile_duration_seconds histogram", text);
        Assert.Contains($"gotk_reconcile_duration_seconds_bucket{{{labels},le=\"+Inf\"}}", text);
        // The apply, the requested reconcile and the timer's first tick: each one sample.
        var count = text.Split('\n').Single(l => l.StartsWith($"gotk_reconcile_duration_seconds_count{{{labels}}}", StringComparison.Ordinal));
        Assert.True(long.Parse(count[(count.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture) >= 2, count);
        Assert.Contains($"gotk_reconcile_duration_seconds_bucket{{{labels},le=\"0.005\"}}", text);
        Assert.Contains("# TYPE granary_resource_ready gauge", text);
        Assert.Contains("granary_events_appended_total{type=\"gitrepository.spec-applied\"} 1", text);
        Assert.Contains("# TYPE granary_grain_activations_total counter", text);
        Assert.Contains("granary_grain_calls_total{interface=\"IGitRepositoryGrain\",method=\"ApplyAsync\"", text);
        Assert.Contains("# TYPE granary_grain_call_duration_seconds histogram", text);
        Assert.Contains("granary_grain_activations_live{", text);
        Assert.DoesNotContain(AdminToken, text);
    }
}
