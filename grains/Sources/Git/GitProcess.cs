using System.Diagnostics;
using System.Text;

namespace Granary.Grains.Sources.Git;

/// <summary>
/// Runs one git command: an argument list (never a shell string), exactly the given environment, a timeout after
/// which the whole process tree is killed, and a cap on captured output. Failures become
/// <see cref="GitSourceException"/>s whose text is scrubbed of secrets.
/// </summary>
internal static partial class GitProcess
{
    /// <summary>What to run and within which limits.</summary>
    internal sealed record Invocation(
        string Executable,
        IReadOnlyList<string> Arguments,
        GitCommandEnvironment Environment,
        GitRepositoryUrl Url,
        string Operation,
        TimeSpan Timeout,
        long MaxOutputBytes,
        string? WorkingDirectory = null);

    /// <summary>Runs the command and returns its standard output; throws <see cref="GitSourceException"/> on failure.</summary>
    public static async Task<string> RunAsync(Invocation invocation, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(invocation.Executable)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = invocation.WorkingDirectory ?? invocation.Environment.Directory,
        };
        foreach (var argument in invocation.Arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment.Clear();
        foreach (var (name, value) in invocation.Environment.Variables)
        {
            start.Environment[name] = value;
        }

        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception error)
        {
            throw new GitSourceException(GitSourceFailure.GitOperationFailed,
                $"Cannot run '{invocation.Executable}' for {invocation.Operation} of '{invocation.Url.Display}': {error.Message}. Install git and put it on PATH.");
        }

        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(invocation.Timeout);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var budget = new OutputBudget(invocation.MaxOutputBytes);
        var stdout = ReadAsync(process.StandardOutput.BaseStream, budget, linked);
        var stderr = ReadAsync(process.StandardError.BaseStream, budget, linked);
        try
        {
            await process.WaitForExitAsync(linked.Token);
            await Task.WhenAll(stdout, stderr);
        }
        catch (OperationCanceledException)
        {
            Kill(process);
            if (budget.Exceeded)
            {
                throw new GitSourceException(GitSourceFailure.TooLarge,
                    $"{invocation.Operation} of '{invocation.Url.Display}' produced more than {invocation.MaxOutputBytes} bytes of output and was stopped.");
            }

            if (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw new GitSourceException(GitSourceFailure.TimedOut,
                    $"{invocation.Operation} of '{invocation.Url.Display}' did not finish within {invocation.Timeout.TotalSeconds:0.#} s and was killed; raise spec.timeout if the repository is large or slow.");
            }

            throw;
        }

        if (process.ExitCode != 0)
        {
            var message = Stable(invocation.Environment.Scrub(Encoding.UTF8.GetString(await stderr).Trim(), invocation.Url));
            if (message.Length > 2000)
            {
                message = message[..2000] + "…";
            }

            throw new GitSourceException(Classify(message),
                $"{invocation.Operation} of '{invocation.Url.Display}' failed (git exit code {process.ExitCode}): {message}");
        }

        return Encoding.UTF8.GetString(await stdout);
    }

    /// <summary>
    /// git's message without what changes between attempts at the same failure (curl's "after 2 ms"), so a failure that
    /// repeats reads the same and is recorded once.
    /// </summary>
    internal static string Stable(string stderr) => ElapsedTime().Replace(stderr, string.Empty);

    [System.Text.RegularExpressions.GeneratedRegex(@" after \d+ ms")]
    private static partial System.Text.RegularExpressions.Regex ElapsedTime();

    private static GitSourceFailure Classify(string stderr) =>
        stderr.Contains("Authentication failed", StringComparison.OrdinalIgnoreCase)
        || stderr.Contains("could not read Username", StringComparison.OrdinalIgnoreCase)
        || stderr.Contains("Permission denied", StringComparison.Ordinal)
        || stderr.Contains("Host key verification failed", StringComparison.Ordinal)
        || stderr.Contains("HTTP Basic: Access denied", StringComparison.Ordinal)
        || stderr.Contains("The requested URL returned error: 401", StringComparison.Ordinal)
        || stderr.Contains("The requested URL returned error: 403", StringComparison.Ordinal)
            ? GitSourceFailure.AuthenticationFailed
            : GitSourceFailure.GitOperationFailed;

    private static async Task<byte[]> ReadAsync(Stream stream, OutputBudget budget, CancellationTokenSource stop)
    {
        var captured = new MemoryStream();
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = await stream.ReadAsync(buffer, stop.Token)) > 0)
        {
            if (!budget.Take(read))
            {
                await stop.CancelAsync();
                stop.Token.ThrowIfCancellationRequested();
            }

            captured.Write(buffer, 0, read);
        }

        return captured.ToArray();
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(TimeSpan.FromSeconds(10));
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
    }

    // Shared by stdout and stderr so the cap is on the total.
    private sealed class OutputBudget(long limit)
    {
        private long _used;

        public bool Exceeded { get; private set; }

        public bool Take(int bytes)
        {
            if (Interlocked.Add(ref _used, bytes) <= limit)
            {
                return true;
            }

            Exceeded = true;
            return false;
        }
    }
}
