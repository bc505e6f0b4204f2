using System.Diagnostics;

namespace Granary.Testing.Kubernetes;

/// <summary>
/// The temporary directory of one test run's control planes (etcd data, certificates, kubeconfigs, logs). The test
/// process holds a lock on it for as long as it lives; a watcher outside the process waits for that lock to go (at exit,
/// however the process ends, even by SIGKILL from a test runner) and then stops the recorded child processes and
/// deletes the directory.
/// </summary>
internal sealed class RunDirectory
{
    private const string LockFile = "owner.lock";
    private const string ChildrenFile = "children.pids";

    // $1 = directory, $2 = "wait" to wait for the owner first. A child is killed only if its command line still names
    // the directory, so a pid the kernel has since given to an unrelated process is never touched.
    private const string CleanupScript = """
        dir=$1
        [ "$2" = wait ] && flock "$dir/owner.lock" true 2>/dev/null
        if [ -f "$dir/children.pids" ]; then
          while read -r pid; do
            grep -qF -- "$dir" "/proc/$pid/cmdline" 2>/dev/null && kill -9 "$pid"
          done <"$dir/children.pids"
        fi
        rm -rf "$dir"
        """;

    private readonly object gate = new();
    private readonly FileStream ownerLock;

    private RunDirectory(string path, FileStream ownerLock)
    {
        Path = path;
        this.ownerLock = ownerLock;
    }

    /// <summary>The absolute path of this run's directory.</summary>
    public string Path { get; }

    /// <summary>Creates a fresh run directory (cleaning up any that a dead run left behind) and starts its watcher.</summary>
    public static RunDirectory Create()
    {
        var parent = ParentDirectory();
        CleanUpAbandoned(parent);
        // Locked before it gets its visible name, so no other run ever sees it unlocked and takes it for abandoned.
        var name = $"{Environment.ProcessId}-{Guid.NewGuid():N}"[..24];
        var staging = Directory.CreateDirectory(System.IO.Path.Combine(parent, $".new-{name}")).FullName;
        var ownerLock = Lock(System.IO.Path.Combine(staging, LockFile))
            ?? throw new IOException($"Could not lock the new run directory {staging}.");
        var path = System.IO.Path.Combine(parent, $"run-{name}");
        Directory.Move(staging, path);
        RunCleanup(path, waitForOwner: true);
        return new RunDirectory(path, ownerLock);
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

    /// <summary>Records a child pid for the watcher.</summary>
    public void Record(ChildProcess child)
    {
        lock (gate)
        {
            System.IO.File.AppendAllText(System.IO.Path.Combine(Path, ChildrenFile), $"{child.Id}\n");
        }
    }

    /// <summary>Lets go of the directory: the watcher kills whatever recorded process still runs and deletes it.</summary>
    /// <param name="deleteNow">Also delete it here and now (the processes must be stopped), so it is gone when this returns.</param>
    public void Release(bool deleteNow)
    {
        if (deleteNow)
        {
            try
            {
                Directory.Delete(Path, recursive: true);
            }
            catch (IOException)
            {
                // Something still writes into it; the watcher deletes it.
            }
        }

        ownerLock.Dispose();
    }

    // etcd fsyncs every write; on tmpfs that costs nothing, and the data is thrown away anyway.
    private static string ParentDirectory()
    {
        var root = Directory.Exists("/dev/shm") ? "/dev/shm" : System.IO.Path.GetTempPath();
        return Directory.CreateDirectory(System.IO.Path.Combine(root, "granary-kubernetes")).FullName;
    }

    // A run directory whose lock nobody holds was abandoned (its watcher was killed too); clean it up now. Other
    // checkouts on this machine share the parent folder, so a directory is only taken when that is certain.
    private static void CleanUpAbandoned(string parent)
    {
        foreach (var run in Directory.EnumerateDirectories(parent, "run-*"))
        {
            if (!IsAbandoned(run))
            {
                continue;
            }

            using var cleanup = RunCleanup(run, waitForOwner: false);
            cleanup?.WaitForExit(TimeSpan.FromSeconds(30));
        }
    }

    private static bool IsAbandoned(string run)
    {
        var lockPath = System.IO.Path.Combine(run, LockFile);
        if (System.IO.File.Exists(lockPath))
        {
            using var free = Lock(lockPath, FileMode.Open);
            return free is not null;
        }

        // Written by an earlier version of this class, which recorded its owner's pid instead of locking.
        var ownerPid = System.IO.Path.Combine(run, "owner.pid");
        return System.IO.File.Exists(ownerPid) && int.TryParse(ReadOrEmpty(ownerPid), out var owner) && !Directory.Exists($"/proc/{owner}");
    }

    private static string ReadOrEmpty(string path)
    {
        try
        {
            return System.IO.File.ReadAllText(path).Trim();
        }
        catch (IOException)
        {
            return "";
        }
    }

    // .NET takes an exclusive flock(2) for FileShare.None on Unix; the kernel drops it when the process dies.
    private static FileStream? Lock(string path, FileMode mode = FileMode.CreateNew)
    {
        try
        {
            return new FileStream(path, mode, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            return null;
        }
    }

    // setsid -f runs the script in its own session, outside our process tree, which a test runner may kill as a whole.
    private static Process? RunCleanup(string directory, bool waitForOwner)
    {
        var start = new ProcessStartInfo(waitForOwner ? "setsid" : "sh") { UseShellExecute = false };
        if (waitForOwner)
        {
            start.ArgumentList.Add("-f");
            start.ArgumentList.Add("sh");
        }

        foreach (var argument in new[] { "-c", CleanupScript, "sh", directory, waitForOwner ? "wait" : "now" })
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            var process = Process.Start(start);
            if (waitForOwner)
            {
                process?.Dispose();
                return null;
            }

            return process;
        }
        catch (System.ComponentModel.Win32Exception exception)
        {
            throw new InvalidOperationException(
                $"Cleaning up local control planes needs sh, setsid and flock (util-linux); {start.FileName} could not be started: {exception.Message}", exception);
        }
    }
}
