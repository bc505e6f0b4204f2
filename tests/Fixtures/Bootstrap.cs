using System.Diagnostics;

namespace Granary.Testing;

/// <summary>Runs a <c>deploy/local/bootstrap</c> step from a test, so a fresh checkout needs no manual setup.</summary>
public static class Bootstrap
{
    /// <summary>Runs <c>deploy/local/bootstrap <paramref name="step"/></c> and fails with its output unless it succeeds within <paramref name="timeout"/>.</summary>
    public static void Run(string step, TimeSpan timeout)
    {
        var script = Path.Combine(RepositoryRoot.Path, "deploy", "local", "bootstrap");
        var start = new ProcessStartInfo(script) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(step);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {script}.");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{script} {step} did not finish within {timeout.TotalMinutes:0} minutes.");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{script} {step} failed ({process.ExitCode}):\n{output.Result}\n{errors.Result}");
        }
    }
}
