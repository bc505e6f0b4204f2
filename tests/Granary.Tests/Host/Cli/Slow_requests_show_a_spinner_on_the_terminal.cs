using System.Text;
using Granary.Silo.Cli;
using Granary.Testing;

namespace Granary.Tests.Host.Cli;

public sealed class Slow_requests_show_a_spinner_on_the_terminal
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_quick_answer_draws_nothing()
    {
        var terminal = new TerminalRecording();

        var answer = await new Spinner(terminal).WhileAsync("waiting", Task.FromResult(42));

        Assert.Equal(42, answer);
        Assert.Equal(string.Empty, terminal.Text);
    }

    [Fact]
    public async Task A_slow_answer_spins_with_its_label_and_erases_the_line_when_it_comes()
    {
        var terminal = new TerminalRecording();
        var answer = new TaskCompletionSource<string>();

        var waiting = new Spinner(terminal).WhileAsync("waiting for 127.0.0.1:9090: POST /api/v1/resources", answer.Task);
        await Eventually.WaitUntilAsync(() => terminal.Text.Contains("waiting for 127.0.0.1:9090: POST /api/v1/resources"), Deadline, "the spinner to draw its label");
        Assert.False(waiting.IsCompleted);

        answer.SetResult("applied");

        Assert.Equal("applied", await waiting);
        Assert.StartsWith("\r", terminal.Text);
        Assert.EndsWith("\r\u001b[K", terminal.Text);
    }

    [Fact]
    public async Task A_failed_request_still_erases_the_spinner_and_surfaces_its_error()
    {
        var terminal = new TerminalRecording();
        var answer = new TaskCompletionSource<string>();

        var waiting = new Spinner(terminal).WhileAsync("waiting", answer.Task);
        await Eventually.WaitUntilAsync(() => terminal.Text.Length > 0, Deadline, "the spinner to draw");
        answer.SetException(new CliFailure("cannot reach the Granary API"));

        var failure = await Assert.ThrowsAsync<CliFailure>(() => waiting);
        Assert.Equal("cannot reach the Granary API", failure.Message);
        Assert.EndsWith("\r\u001b[K", terminal.Text);
    }

    [Fact]
    public void Only_the_process_terminal_gets_a_spinner()
    {
        Assert.Null(Spinner.ForConsole(new StringWriter()));
    }

    /// <summary>What was written, safe to read while the spinner writes from another task.</summary>
    private sealed class TerminalRecording : TextWriter
    {
        private readonly StringBuilder _text = new();

        public override Encoding Encoding => Encoding.UTF8;

        public string Text
        {
            get
            {
                lock (_text)
                {
                    return _text.ToString();
                }
            }
        }

        public override void Write(char value)
        {
            lock (_text)
            {
                _text.Append(value);
            }
        }

        public override void Write(string? value)
        {
            lock (_text)
            {
                _text.Append(value);
            }
        }
    }
}
