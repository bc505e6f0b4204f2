using System.Diagnostics;

namespace Granary.Tests.Deploy;

/// <summary>Runs one of the real tools (helm, kubectl, dotnet) with an argument list and a deadline, and returns what it printed.</summary>
internal static class DeployCommand
{
    /// <summary>The tool's output, its exit code and its standard error.</summary>
    public sealed record Result(int ExitCode, string Output, string Error);

    /// <summary>Runs <paramref name="executable"/>; kills it and fails when <paramref name="timeout"/> passes.</summary>
    public static async Task<Result> RunAsync(string executable, IEnumerable<string> arguments, TimeSpan timeout, IReadOnlyDictionary<string, string>? environment = null, string? stdin = null)
    {
        var start = new ProcessStartInfo(executable)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin is not null,
            WorkingDirectory = Granary.Testing.RepositoryRoot.Path,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {executable}");
        using var deadline = new CancellationTokenSource(timeout);
        var output = process.StandardOutput.ReadToEndAsync(deadline.Token);
        var error = process.StandardError.ReadToEndAsync(deadline.Token);
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
            process.StandardInput.Close();
        }

        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{Path.GetFileName(executable)} {string.Join(' ', start.ArgumentList)} did not finish within {timeout.TotalSeconds:0} s");
        }

        return new Result(process.ExitCode, await output, await error);
    }

    /// <summary>Runs the tool and fails the test with its error output unless it exits 0.</summary>
    public static async Task<string> RunCheckedAsync(string executable, IEnumerable<string> arguments, TimeSpan timeout, IReadOnlyDictionary<string, string>? environment = null, string? stdin = null)
    {
        var list = arguments.ToList();
        var result = await RunAsync(executable, list, timeout, environment, stdin);
        Assert.True(result.ExitCode == 0, $"{Path.GetFileName(executable)} {string.Join(' ', list)} exited {result.ExitCode}:\n{result.Error}\n{result.Output}");
        return result.Output;
    }
}
