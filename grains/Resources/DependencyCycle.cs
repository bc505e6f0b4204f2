namespace Granary.Grains.Resources;

/// <summary>
/// Finds a <c>dependsOn</c> cycle through a resource by asking each dependency for its own dependencies (grain calls, so
/// every resource answers from its current spec). The walk is depth-first, visits each key once and stops at
/// <see cref="MaxDepth"/>, so a long chain costs one call per resource and a cycle not through <c>self</c> ends it.
/// </summary>
public static class DependencyCycle
{
    /// <summary>How deep the walk goes; deeper chains are not searched (Flux sets no limit, real chains are short).</summary>
    public const int MaxDepth = 32;

    /// <summary>The cycle from <paramref name="self"/> back to itself (keys in order, <paramref name="self"/> first and last), or null.</summary>
    public static Task<List<string>?> FindAsync(string self, Func<string, Task<IReadOnlyList<string>>> dependenciesOf) =>
        WalkAsync(self, self, [self], [], dependenciesOf, depth: 0);

    /// <summary>The message a resource fails with: the cycle and the fix.</summary>
    public static string Describe(IReadOnlyList<string> cycle) =>
        $"spec.dependsOn: dependency cycle {string.Join(" -> ", cycle)}; remove one of these dependsOn entries";

    private static async Task<List<string>?> WalkAsync(
        string self, string key, List<string> path, HashSet<string> visited, Func<string, Task<IReadOnlyList<string>>> dependenciesOf, int depth)
    {
        if (depth > MaxDepth || !visited.Add(key))
        {
            return null;
        }

        foreach (var next in await dependenciesOf(key))
        {
            if (next == self)
            {
                return [.. path, next];
            }

            path.Add(next);
            if (await WalkAsync(self, next, path, visited, dependenciesOf, depth + 1) is { } cycle)
            {
                return cycle;
            }

            path.RemoveAt(path.Count - 1);
        }

        return null;
    }
}
