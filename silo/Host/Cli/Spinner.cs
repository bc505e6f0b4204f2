namespace Granary.Silo.Cli;

/// <summary>
/// Shows that a slow request is still running: after <see cref="Delay"/> a spinner with what is being waited for is
/// drawn on one line of standard error, and erased when the request ends. Only on an interactive terminal (never in
/// pipes, logs or tests), and never on standard output, so results stay clean.
/// </summary>
public sealed class Spinner(TextWriter terminal)
{
    /// <summary>How long a request runs before the spinner appears: quick answers never flicker.</summary>
    public static readonly TimeSpan Delay = TimeSpan.FromMilliseconds(300);

    private static readonly TimeSpan Frame = TimeSpan.FromMilliseconds(100);
    private static readonly string[] Frames = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

    /// <summary>A spinner on the process's standard error when it is a terminal; otherwise null (nothing shown).</summary>
    public static Spinner? ForConsole(TextWriter error) =>
        ReferenceEquals(error, Console.Error) && !Console.IsErrorRedirected ? new Spinner(error) : null;

    /// <summary>Awaits <paramref name="work"/>, spinning with <paramref name="label"/> while it takes longer than <see cref="Delay"/>.</summary>
    public async Task<T> WhileAsync<T>(string label, Task<T> work)
    {
        using var done = new CancellationTokenSource();
        var drawing = DrawAsync(label, done.Token);
        try
        {
            return await work;
        }
        finally
        {
            await done.CancelAsync();
            await drawing;
        }
    }

    private async Task DrawAsync(string label, CancellationToken done)
    {
        var drawn = false;
        try
        {
            await Task.Delay(Delay, done);
            for (var frame = 0; ; frame++)
            {
                await terminal.WriteAsync($"\r{Frames[frame % Frames.Length]} {label}");
                await terminal.FlushAsync(CancellationToken.None);
                drawn = true;
                await Task.Delay(Frame, done);
            }
        }
        catch (OperationCanceledException)
        {
            // The request ended: erase the line if anything was drawn on it.
        }

        if (drawn)
        {
            await terminal.WriteAsync("\r\u001b[K");
            await terminal.FlushAsync(CancellationToken.None);
        }
    }
}
