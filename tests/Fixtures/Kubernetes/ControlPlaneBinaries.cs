namespace Granary.Testing.Kubernetes;

/// <summary>The etcd, kube-apiserver and kube-controller-manager binaries that <c>deploy/local/bootstrap kubernetes</c> links into <c>.granary/tools/bin</c>.</summary>
internal sealed record ControlPlaneBinaries(string Etcd, string KubeApiserver, string KubeControllerManager)
{
    /// <summary>Runs the bootstrap step (it only verifies when the binaries are cached; the first run on a machine builds them) and returns their paths.</summary>
    public static ControlPlaneBinaries Locate()
    {
        // A cold build of Kubernetes takes minutes on a small machine; later runs take about a second.
        Bootstrap.Run("kubernetes", TimeSpan.FromMinutes(40));
        var bin = Path.Combine(RepositoryRoot.Path, ".granary", "tools", "bin");
        var binaries = new ControlPlaneBinaries(
            Path.Combine(bin, "etcd"), Path.Combine(bin, "kube-apiserver"), Path.Combine(bin, "kube-controller-manager"));
        foreach (var path in new[] { binaries.Etcd, binaries.KubeApiserver, binaries.KubeControllerManager })
        {
            if (!File.Exists(path))
            {
                throw new FileNotFoundException($"{path} is missing although deploy/local/bootstrap kubernetes succeeded; rerun it and check its output.", path);
            }
        }

        return binaries;
    }
}
