using System.Diagnostics;

namespace Granary.Testing.Kubernetes;

/// <summary>A control plane process this fixture started, writing stdout and stderr to its own log file.</summary>
internal sealed class ChildProcess : IDisposable
{
    // Proxy settings from the caller's shell must not route loopback traffic between our processes.
    private static readonly string[] ScrubbedVariables =
        ["HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "no_proxy", "all_proxy", "KUBECONFIG"];

    private readonly Process process;

    private ChildProcess(string name, Process process, string logPath)
    {
        Name = name;
        this.process = process;
        LogPath = logPath;
    }

    /// <summary>What the process is, for messages ("kube-apiserver for cluster a").</summary>
    public string Name { get; }

    /// <summary>The log file holding the process's stdout and stderr.</summary>
    public string LogPath { get; }

    /// <summary>The operating system process id.</summary>
    public int Id => process.Id;

    /// <summary>Whether the process has exited.</summary>
    public bool HasExited => process.HasExited;

    /// <summary>
    /// Starts <paramref name="executable"/> with its output going straight to <paramref name="logPath"/>. With
    /// <paramref name="environment"/>, inherited <c>GRANARY_*</c> variables are dropped and those given are set, so the
    /// process is configured by the caller alone.
    /// </summary>
    public static ChildProcess Start(string name, string executable, IEnumerable<string> arguments, string logPath, IReadOnlyDictionary<string, string>? environment = null)
    {
        // sh redirects and then execs the binary, so output reaches the file without a pump in this
        // process (nothing blocks on a full pipe, and the log survives us), and the pid is the binary's.
        var start = new ProcessStartInfo("/bin/sh")
        {
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(logPath)!,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("log=$1; shift; exec \"$@\" >\"$log\" 2>&1 </dev/null");
        start.ArgumentList.Add("sh");
        start.ArgumentList.Add(logPath);
        start.ArgumentList.Add(executable);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var variable in ScrubbedVariables)
        {
            start.Environment.Remove(variable);
        }

        if (environment is not null)
        {
            foreach (var inherited in start.Environment.Keys.Where(k => k.StartsWith("GRANARY_", StringComparison.Ordinal)).ToList())
            {
                start.Environment.Remove(inherited);
            }

            foreach (var (variable, value) in environment)
            {
                start.Environment[variable] = value;
            }
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {executable} for {name}.");
        return new ChildProcess(name, process, logPath);
    }

    /// <summary>The last lines of the log, for error messages.</summary>
    public string LogTail(int lines = 40)
    {
        try
        {
            var all = File.ReadAllLines(LogPath);
            return string.Join('\n', all.Skip(Math.Max(0, all.Length - lines)));
        }
        catch (IOException exception)
        {
            return $"(no log at {LogPath}: {exception.Message})";
        }
    }

    /// <summary>An error naming the process, what went wrong, and the tail of its log.</summary>
    public ControlPlaneFailedException Failure(string what) =>
        new($"{Name} {what}. Last lines of {LogPath}:\n{LogTail()}");

    /// <summary>Polls <paramref name="ready"/> until it holds; fails with the log tail if the process exits or <paramref name="timeout"/> passes.</summary>
    public async Task WaitUntilAsync(Func<Task<bool>> ready, TimeSpan timeout, string what)
    {
        try
        {
            await Eventually.WaitUntilAsync(
                async () => HasExited ? throw Failure($"exited before it was {what}") : await ready(), timeout, what);
        }
        catch (TimeoutException)
        {
            throw Failure($"was not {what} within {timeout.TotalSeconds:0} s");
        }
    }

    /// <summary>Sends SIGKILL without waiting, so several processes can be stopped at once.</summary>
    public void Signal()
    {
        try
        {
            process.Kill();
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    /// <summary>Sends SIGTERM (a graceful stop request) without waiting.</summary>
    public void Terminate()
    {
        if (!process.HasExited)
        {
            _ = SendSignal(process.Id, 15);
        }
    }

    /// <summary>Waits for the process to exit and answers its exit code, or throws with the log tail after <paramref name="timeout"/>.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
            return process.ExitCode;
        }
        catch (OperationCanceledException)
        {
            throw Failure($"did not exit within {timeout.TotalSeconds:0} s");
        }
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);

    /// <summary>Kills the process (and anything it started) and waits for it to be gone.</summary>
    public void Stop()
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            process.WaitForExit(TimeSpan.FromSeconds(10));
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Stop();
        process.Dispose();
    }
}
