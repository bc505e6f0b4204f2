using System.Diagnostics;
using System.Text;

namespace Granary.Grains.Processes;

/// <summary>
/// Runs an external tool (kubectl, helm, age, git) safely: an argument list (never a shell string), a scrubbed
/// environment, a working directory, a timeout that kills the whole process tree, and a cap on output size.
/// </summary>
public static class ToolProcess
{
    /// <summary>The environment every tool starts from: nothing inherited but PATH, plus a neutral locale.</summary>
    public static Dictionary<string, string> ScrubbedEnvironment(string home) => new(StringComparer.Ordinal)
    {
        ["PATH"] = Environment.GetEnvironmentVariable("PATH") ?? "/usr/local/bin:/usr/bin:/bin",
        ["HOME"] = home,
        ["LANG"] = "C",
        ["LC_ALL"] = "C",
    };

    /// <summary>Runs <paramref name="request"/> and returns its exit code and output; throws <see cref="ToolTimeoutException"/> on timeout.</summary>
    public static async Task<ToolResult> RunAsync(ToolRequest request, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(request.FileName)
        {
            RedirectStandardInput = request.StandardInput is not null,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = request.WorkingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var argument in request.Arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment.Clear();
        foreach (var (key, value) in request.Environment)
        {
            start.Environment[key] = value;
        }

        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception exception)
        {
            throw new InvalidOperationException($"Cannot run '{request.FileName}': {exception.Message}. Install it (deploy/local/bootstrap tools puts kubectl, helm and age in .granary/tools/bin) or put it on PATH.", exception);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(request.Timeout);
        var stdout = ReadCappedAsync(process.StandardOutput.BaseStream, request.MaxOutputBytes, timeout.Token);
        var stderr = ReadCappedAsync(process.StandardError.BaseStream, 64 * 1024, timeout.Token);
        try
        {
            if (request.StandardInput is { } input)
            {
                await process.StandardInput.BaseStream.WriteAsync(input, timeout.Token);
                process.StandardInput.Close();
            }

            await process.WaitForExitAsync(timeout.Token);
            var output = await stdout;
            var errors = await stderr;
            return new ToolResult(process.ExitCode, output.Bytes, Encoding.UTF8.GetString(errors.Bytes), output.Truncated);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            Kill(process);
            throw new ToolTimeoutException(request.FileName, request.Timeout);
        }
        catch
        {
            Kill(process);
            throw;
        }
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    private static async Task<(byte[] Bytes, bool Truncated)> ReadCappedAsync(Stream stream, long cap, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        var truncated = false;
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken)) > 0)
        {
            var room = cap - buffer.Length;
            if (room <= 0)
            {
                truncated = true;
                continue;
            }

            buffer.Write(chunk, 0, (int)Math.Min(room, read));
            truncated |= read > room;
        }

        return (buffer.ToArray(), truncated);
    }
}

/// <summary>What to run and within which limits.</summary>
public sealed record ToolRequest(string FileName, IReadOnlyList<string> Arguments, IReadOnlyDictionary<string, string> Environment, TimeSpan Timeout)
{
    /// <summary>The directory to run in.</summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>Bytes written to the tool's standard input (then closed).</summary>
    public byte[]? StandardInput { get; init; }

    /// <summary>The most standard output kept; more is cut and flagged.</summary>
    public long MaxOutputBytes { get; init; } = 64L * 1024 * 1024;
}

/// <summary>How a tool run ended.</summary>
public sealed record ToolResult(int ExitCode, byte[] Output, string Errors, bool OutputTruncated);

/// <summary>A tool ran past its deadline and was killed.</summary>
public sealed class ToolTimeoutException(string tool, TimeSpan timeout)
    : TimeoutException($"'{Path.GetFileName(tool)}' did not finish within {timeout.TotalSeconds:0.#} s and was stopped; raise spec.timeout or make the input smaller.");
