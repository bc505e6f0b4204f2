namespace Granary.Grains.Artifacts;

/// <summary>
/// Decides which paths of a source tree stay out of its artifact, as Flux's source-controller does: patterns are
/// checked from the last to the first and the first that matches decides. The Git files (<c>.git/</c>,
/// <c>.gitignore</c>, <c>.gitmodules</c>, <c>.gitattributes</c>) are always excluded; Flux's other default exclusions
/// (images, archives, CI configs, <c>.goreleaser.yml</c>, <c>.sops.yaml</c>, <c>.flux.yaml</c>) apply only when
/// neither a <c>.sourceignore</c> file nor <c>spec.ignore</c> gives a pattern, since those override the defaults.
/// </summary>
public sealed class SourceIgnore
{
    /// <summary>The ignore file Flux reads in the tree root and in every directory below it.</summary>
    public const string IgnoreFileName = ".sourceignore";

    /// <summary>Version-control files, excluded always.</summary>
    public static readonly IReadOnlyList<string> VcsPatterns = [".git/", ".gitignore", ".gitmodules", ".gitattributes"];

    /// <summary>Flux's default exclusions beyond version control: media and archives, CI configs, tool configs.</summary>
    public static readonly IReadOnlyList<string> DefaultPatterns =
    [
        "*.jpg", "*.jpeg", "*.gif", "*.png", "*.wmv", "*.flv", "*.tar.gz", "*.zip",
        ".github/", ".circleci/", ".travis.yml", ".gitlab-ci.yml", "appveyor.yml", ".drone.yml", "cloudbuild.yaml",
        "codeship-services.yml", "codeship-steps.yml",
        "**/.goreleaser.yml", "**/.sops.yaml", "**/.flux.yaml",
    ];

    private readonly IReadOnlyList<SourceIgnorePattern> _patterns;

    /// <summary>Creates a matcher from patterns in increasing priority (later patterns win).</summary>
    public SourceIgnore(IReadOnlyList<SourceIgnorePattern> patterns) => _patterns = patterns;

    /// <summary>The patterns, lowest priority first.</summary>
    public IReadOnlyList<SourceIgnorePattern> Patterns => _patterns;

    /// <summary>
    /// The rules Flux applies to a tree: every <c>.sourceignore</c> under <paramref name="root"/> (root first, then
    /// subdirectories by name, each scoped to its directory), then <paramref name="specIgnore"/>; the defaults apply
    /// only when these give no pattern at all.
    /// </summary>
    public static SourceIgnore ForTree(string root, string? specIgnore)
    {
        var patterns = new List<SourceIgnorePattern>();
        LoadIgnoreFiles(root, [], patterns);
        if (specIgnore is not null)
        {
            patterns.AddRange(ReadPatterns(specIgnore));
        }

        return WithDefaults(patterns);
    }

    /// <summary>The VCS patterns plus <paramref name="patterns"/>, or plus Flux's defaults when there are none.</summary>
    public static SourceIgnore WithDefaults(IReadOnlyList<SourceIgnorePattern> patterns)
    {
        var all = VcsPatterns.Select(p => SourceIgnorePattern.Parse(p)).ToList();
        all.AddRange(patterns.Count > 0 ? patterns : DefaultPatterns.Select(p => SourceIgnorePattern.Parse(p)));
        return new SourceIgnore(all);
    }

    /// <summary>Parses ignore-file text: one pattern a line; blank lines and lines starting with <c>#</c> are skipped.</summary>
    public static IReadOnlyList<SourceIgnorePattern> ReadPatterns(string text, IReadOnlyList<string>? domain = null) =>
        text.Split('\n')
            .Select(line => line.TrimEnd('\r'))
            .Where(line => !line.StartsWith('#') && line.Trim().Length > 0)
            .Select(line => SourceIgnorePattern.Parse(line, domain))
            .ToList();

    /// <summary>True when the path (components relative to the root, e.g. <c>["deploy", "app.yaml"]</c>) is ignored.</summary>
    public bool IsIgnored(IReadOnlyList<string> path, bool isDirectory)
    {
        for (var i = _patterns.Count - 1; i >= 0; i--)
        {
            var match = _patterns[i].Match(path, isDirectory);
            if (match != SourceIgnoreMatch.None)
            {
                return match == SourceIgnoreMatch.Exclude;
            }
        }

        return false;
    }

    /// <summary>True when the slash-separated relative path is ignored.</summary>
    public bool IsIgnored(string relativePath, bool isDirectory) =>
        IsIgnored(relativePath.Split('/', StringSplitOptions.RemoveEmptyEntries), isDirectory);

    private static void LoadIgnoreFiles(string directory, List<string> domain, List<SourceIgnorePattern> patterns)
    {
        var file = Path.Combine(directory, IgnoreFileName);
        if (File.Exists(file))
        {
            patterns.AddRange(ReadPatterns(File.ReadAllText(file), domain.ToArray()));
        }

        var subdirectories = new DirectoryInfo(directory).EnumerateDirectories()
            .Where(d => d.LinkTarget is null && d.Name != ".git")
            .Select(d => d.Name)
            .Order(StringComparer.Ordinal);
        foreach (var name in subdirectories)
        {
            LoadIgnoreFiles(Path.Combine(directory, name), [.. domain, name], patterns);
        }
    }
}
