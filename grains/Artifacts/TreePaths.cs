namespace Granary.Grains.Artifacts;

/// <summary>Path checks for trees on disk: resolving every symlink in a path, and containment in a root.</summary>
internal static class TreePaths
{
    private const int MaxSymlinkHops = 40;

    /// <summary>
    /// The absolute path with every symlink in it resolved (like <c>realpath</c>); null when a component is missing
    /// or the links loop.
    /// </summary>
    public static string? RealPath(string absolutePath)
    {
        var pending = new Stack<string>(absolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries).Reverse());
        var resolved = new List<string>();
        var hops = 0;
        while (pending.Count > 0)
        {
            var component = pending.Pop();
            if (component == ".")
            {
                continue;
            }

            if (component == "..")
            {
                if (resolved.Count > 0)
                {
                    resolved.RemoveAt(resolved.Count - 1);
                }

                continue;
            }

            resolved.Add(component);
            var current = "/" + string.Join('/', resolved);
            var target = new FileInfo(current).LinkTarget;
            if (target is not null)
            {
                if (++hops > MaxSymlinkHops)
                {
                    return null;
                }

                resolved.RemoveAt(resolved.Count - 1);
                if (target.StartsWith('/'))
                {
                    resolved.Clear();
                }

                foreach (var part in target.Split('/', StringSplitOptions.RemoveEmptyEntries).Reverse())
                {
                    pending.Push(part);
                }
            }
            else if (!File.Exists(current) && !Directory.Exists(current))
            {
                return null;
            }
        }

        return "/" + string.Join('/', resolved);
    }

    /// <summary>True when <paramref name="path"/> is <paramref name="root"/> or below it (both absolute and resolved).</summary>
    public static bool IsInside(string path, string root) =>
        path == root || path.StartsWith(root.EndsWith('/') ? root : root + "/", StringComparison.Ordinal);
}
