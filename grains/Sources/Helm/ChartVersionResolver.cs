using Granary.Contracts.Sources;
using Granary.Grains.Versions;

namespace Granary.Grains.Sources.Helm;

/// <summary>Picks a chart version as Helm does: the highest version satisfying the constraint; pre-releases only when the constraint names one.</summary>
public static class ChartVersionResolver
{
    private const int ShownVersions = 5;

    /// <summary>The highest of <paramref name="versions"/> matching <paramref name="constraint"/> (null or empty means <c>*</c>).</summary>
    /// <exception cref="HelmChartException">The constraint is malformed, or nothing matches (the message lists the newest versions).</exception>
    public static T Resolve<T>(string chart, string? constraint, IReadOnlyList<T> versions, Func<T, SemVer> version, string where)
    {
        var text = string.IsNullOrWhiteSpace(constraint) ? "*" : constraint.Trim();
        SemVerRange range;
        try
        {
            range = SemVerRange.Parse(text);
        }
        catch (FormatException exception)
        {
            throw new HelmChartException("InvalidChartReference", $"spec.chart.spec.version: {exception.Message}");
        }

        // Not FirstOrDefault: for a value type "nothing" would look like a version.
        var matching = versions.Where(v => range.IsSatisfiedBy(version(v))).OrderByDescending(version).Take(1).ToList();
        if (matching.Count > 0)
        {
            return matching[0];
        }

        var newest = versions.Select(version).OrderByDescending(v => v).Take(ShownVersions).Select(v => v.Original).ToList();
        throw new HelmChartException("NoMatchingVersion", newest.Count == 0
            ? $"chart '{chart}' in {where} has no versions"
            : $"no version of chart '{chart}' in {where} matches '{text}'; the newest are {string.Join(", ", newest)}; change spec.chart.spec.version");
    }
}
