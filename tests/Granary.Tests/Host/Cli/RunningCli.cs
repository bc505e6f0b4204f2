using Granary.Silo.Cli;

namespace Granary.Tests.Host.Cli;

/// <summary>A CLI verb that keeps running (<c>--watch</c>, <c>--follow</c>) until interrupted, as Ctrl+C would.</summary>
public sealed class RunningCli : IAsyncDisposable
{
    private readonly StringWriter _output = new();
    private readonly StringWriter _error = new();
    private readonly TextWriter _synchronized;
    private readonly CancellationTokenSource _interrupt = new(TimeSpan.FromSeconds(120));
    private readonly Task<int> _run;

    /// <summary>Starts <c>granary <paramref name="args"/></c>.</summary>
    public RunningCli(string[] args)
    {
        _synchronized = TextWriter.Synchronized(_output);
        _run = CliApp.RunAsync(args, _synchronized, _error, _ => null, _interrupt.Token);
    }

    /// <summary>What it printed so far.</summary>
    public string Printed()
    {
        // The synchronized writer locks on itself: reading under the same lock never sees a half-written line.
        lock (_synchronized)
        {
            return _output.ToString();
        }
    }

    /// <summary>Interrupts it and returns its exit code.</summary>
    public async Task<int> InterruptAsync()
    {
        await _interrupt.CancelAsync();
        return await _run;
    }

    /// <summary>Interrupts it if it still runs (a test that failed early), then lets go of its writers.</summary>
    public async ValueTask DisposeAsync()
    {
        await InterruptAsync();
        _interrupt.Dispose();
        _output.Dispose();
        _error.Dispose();
    }
}
