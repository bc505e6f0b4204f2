namespace Granary.Testing.Kubernetes;

/// <summary>
/// The temporary directory of one test run's control planes (etcd data, certificates, kubeconfigs, logs). It records
/// the owning process and every child pid, so a later run can stop what a killed test run left behind.
/// </summary>
internal sealed class RunDirectory
{
    private const string OwnerFile = "owner.pid";
    private const string ChildrenFile = "children.pids";
    private readonly object gate = new();

    private RunDirectory(string path) => Path = path;

    /// <summary>The absolute path of this run's directory.</summary>
    public string Path { get; }

    /// <summary>Creates a fresh run directory after reaping the ones of test runs that died without cleaning up.</summary>
    public static RunDirectory Create()
    {
        var parent = ParentDirectory();
        ReapAbandoned(parent);
        var path = System.IO.Path.Combine(parent, $"run-{Environment.ProcessId}-{Guid.NewGuid():N}"[..30]);
        Directory.CreateDirectory(path);
        System.IO.File.WriteAllText(System.IO.Path.Combine(path, OwnerFile), Environment.ProcessId.ToString());
        return new RunDirectory(path);
    }

    /// <summary>A path inside the run directory, creating its parent folder.</summary>
    public string File(params string[] parts)
    {
        var path = System.IO.Path.Combine([Path, .. parts]);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        return path;
    }

    /// <summary>A folder inside the run directory, created if needed.</summary>
    public string Folder(params string[] parts) => Directory.CreateDirectory(System.IO.Path.Combine([Path, .. parts])).FullName;

    /// <summary>Remembers a child pid so a later run can stop it if this process dies without cleaning up.</summary>
    public void Record(ChildProcess child)
    {
        lock (gate)
        {
            System.IO.File.AppendAllText(System.IO.Path.Combine(Path, ChildrenFile), $"{child.Id}\n");
        }
    }

    /// <summary>Deletes the directory, or has a detached <c>rm</c> do it; its processes must be stopped first.</summary>
    public void Delete(bool inBackground = false)
    {
        if (inBackground)
        {
            // setsid -f puts rm in its own session, outside our process tree, which the test runner may kill as a whole.
            var rm = new System.Diagnostics.ProcessStartInfo("setsid") { UseShellExecute = false };
            rm.ArgumentList.Add("-f");
            rm.ArgumentList.Add("rm");
            rm.ArgumentList.Add("-rf");
            rm.ArgumentList.Add(Path);
            try
            {
                System.Diagnostics.Process.Start(rm)?.Dispose();
                return;
            }
            catch (System.ComponentModel.Win32Exception)
            {
                // No setsid; delete it ourselves.
            }
        }

        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A process still writing its log at exit; the next run reaps it.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    // etcd fsyncs every write; on tmpfs that costs nothing, and the data is thrown away anyway.
    private static string ParentDirectory()
    {
        var shm = "/dev/shm";
        var root = Directory.Exists(shm) ? shm : System.IO.Path.GetTempPath();
        var parent = System.IO.Path.Combine(root, "granary-kubernetes");
        Directory.CreateDirectory(parent);
        return parent;
    }

    // A run is abandoned when its owner process is gone. Its children are killed only if their command line
    // still names the run directory, so a pid reused by an unrelated process is never touched.
    private static void ReapAbandoned(string parent)
    {
        foreach (var run in Directory.EnumerateDirectories(parent, "run-*"))
        {
            var ownerFile = System.IO.Path.Combine(run, OwnerFile);
            if (!System.IO.File.Exists(ownerFile) || !int.TryParse(System.IO.File.ReadAllText(ownerFile).Trim(), out var owner)
                || Directory.Exists($"/proc/{owner}"))
            {
                continue;
            }

            var childrenFile = System.IO.Path.Combine(run, ChildrenFile);
            var children = System.IO.File.Exists(childrenFile) ? System.IO.File.ReadAllLines(childrenFile) : [];
            foreach (var line in children)
            {
                if (int.TryParse(line, out var pid) && CommandLineMentions(pid, run))
                {
                    try
                    {
                        using var process = System.Diagnostics.Process.GetProcessById(pid);
                        process.Kill(entireProcessTree: true);
                        process.WaitForExit(TimeSpan.FromSeconds(10));
                    }
                    catch (ArgumentException)
                    {
                        // Exited meanwhile.
                    }
                    catch (InvalidOperationException)
                    {
                    }
                }
            }

            new RunDirectory(run).Delete();
        }
    }

    private static bool CommandLineMentions(int pid, string text)
    {
        try
        {
            return System.IO.File.ReadAllText($"/proc/{pid}/cmdline").Contains(text, StringComparison.Ordinal);
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }
}
