namespace Granary.Grains.Sources.Git;

/// <summary>Where <see cref="GitClient"/> finds git and keeps its caches, and the limits on every operation.</summary>
public sealed record GitClientOptions
{
    /// <summary>The git executable (looked up on PATH when not a path).</summary>
    public string GitExecutable { get; init; } = "git";

    /// <summary>Per-repository bare caches live here, one directory per URL hash (<c>&lt;key&gt;.git</c>).</summary>
    public string CacheDirectory { get; init; } = Path.Combine(Path.GetTempPath(), "granary", "git-cache");

    /// <summary>Private per-operation directories (HOME, SSH keys, index files) are created here and deleted after.</summary>
    public string ScratchDirectory { get; init; } = Path.Combine(Path.GetTempPath(), "granary", "git-scratch");

    /// <summary>The most output (stdout + stderr) one git command may produce before it is killed.</summary>
    public long MaxOutputBytes { get; init; } = 32L * 1024 * 1024;

    /// <summary>The largest total size of the files in a checked-out tree.</summary>
    public long MaxTreeBytes { get; init; } = 512L * 1024 * 1024;

    /// <summary>The most files in a checked-out tree.</summary>
    public int MaxTreeEntries { get; init; } = 100_000;
}
