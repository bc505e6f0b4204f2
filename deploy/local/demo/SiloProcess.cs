using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Granary.Demo;

/// <summary>The silo the demo runs (<c>granary run</c>), its output in a log file, stopped with SIGTERM as a service manager would.</summary>
public sealed class SiloProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly Task pumping;

    private SiloProcess(Process process, string logPath, Task pumping)
    {
        this.process = process;
        this.pumping = pumping;
        LogPath = logPath;
    }

    /// <summary>Where the silo's output goes.</summary>
    public string LogPath { get; }

    /// <summary>Starts <paramref name="command"/> with <paramref name="environment"/> added and waits until <c>/readyz</c> answers 200.</summary>
    public static async Task<SiloProcess> StartAsync(IReadOnlyList<string> command, IReadOnlyDictionary<string, string> environment, Uri address, string logPath, TimeSpan deadline, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(command[0]) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in command.Skip(1))
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {command[0]}");
        var log = new StreamWriter(logPath) { AutoFlush = true };
        var pumping = Task.WhenAll(PumpAsync(process.StandardOutput, log), PumpAsync(process.StandardError, log)).ContinueWith(_ => log.Dispose(), TaskScheduler.Default);
        var silo = new SiloProcess(process, logPath, pumping);
        try
        {
            await silo.WaitUntilReadyAsync(address, deadline, cancellationToken);
            return silo;
        }
        catch
        {
            await silo.DisposeAsync();
            throw;
        }
    }

    /// <summary>Whether the silo has exited.</summary>
    public bool HasExited => process.HasExited;

    /// <summary>The last lines of the silo's log, to explain a failure.</summary>
    public string Tail(int lines = 30)
    {
        try
        {
            using var stream = new FileStream(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            var all = new StreamReader(stream).ReadToEnd().Split('\n');
            return string.Join('\n', all.TakeLast(lines));
        }
        catch (IOException)
        {
            return "(no log)";
        }
    }

    /// <summary>Asks the silo to stop (SIGTERM), waits for it, and kills it if it does not stop within 30 s.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            _ = Kill(process.Id, 15);
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await process.WaitForExitAsync(grace.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
        }

        await pumping;
        process.Dispose();
    }

    private async Task WaitUntilReadyAsync(Uri address, TimeSpan deadline, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(5) };
        var until = DateTime.UtcNow + deadline;
        while (true)
        {
            if (process.HasExited)
            {
                await pumping;
                throw new InvalidOperationException($"the silo exited ({process.ExitCode}) before it was ready; its log ({LogPath}) ends with:\n{Tail()}");
            }

            try
            {
                using var response = await http.GetAsync("/readyz", cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
            }

            if (DateTime.UtcNow > until)
            {
                throw new TimeoutException($"the silo did not answer {address}readyz within {deadline.TotalSeconds:0} s; its log ({LogPath}) ends with:\n{Tail()}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken);
        }
    }

    private static async Task PumpAsync(StreamReader from, StreamWriter to)
    {
        while (await from.ReadLineAsync() is { } line)
        {
            lock (to)
            {
                to.WriteLine(line);
            }
        }
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
