using System.Diagnostics;
using System.Text;
using Granary.Testing;

namespace Granary.Tests.Demo;

/// <summary>
/// Runs the quick start's launcher (<c>deploy/local/demo</c>, what <c>make run</c> runs) as a process, against the silo
/// executable built with this test run, in a work directory and event store schema of its own.
/// </summary>
internal sealed class DemoLauncher
{
    /// <summary>The build configuration this test assembly was built with (its output is <c>bin/&lt;configuration&gt;/&lt;tfm&gt;</c>).</summary>
    private static string Configuration => new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;

    /// <summary>What a finished run printed and how it exited.</summary>
    public sealed record Result(int ExitCode, string Output);

    /// <summary>Runs the launcher with <paramref name="arguments"/> before the silo command and <paramref name="environment"/> added; kills it after <paramref name="timeout"/>.</summary>
    public static async Task<Result> RunAsync(IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string> environment, TimeSpan timeout)
    {
        var launcher = Built("deploy", "local", "demo", "granary-demo.dll");
        var silo = Built("silo", "Host", "granary.dll");
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in (string[])[launcher, .. arguments, "--", "dotnet", silo, "run"])
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var output = new StringBuilder();
        var reading = Task.WhenAll(CopyAsync(process.StandardOutput, output), CopyAsync(process.StandardError, output));
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            await reading;
            Assert.Fail($"the demo launcher did not finish within {timeout.TotalSeconds:0} s; it printed:\n{output}");
        }

        await reading;
        return new Result(process.ExitCode, output.ToString());
    }

    private static string Built(params string[] path)
    {
        var project = Path.Combine([RepositoryRoot.Path, .. path[..^1]]);
        var file = Path.Combine(project, "bin", Configuration, "net10.0", path[^1]);
        Assert.True(File.Exists(file), $"{file} is missing: build the solution (dotnet build Orleans.sln -c {Configuration}) first.");
        return file;
    }

    private static async Task CopyAsync(StreamReader from, StringBuilder to)
    {
        while (await from.ReadLineAsync() is { } line)
        {
            lock (to)
            {
                to.AppendLine(line);
            }
        }
    }
}
