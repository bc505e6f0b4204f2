namespace Granary.Silo.Cli;

/// <summary>
/// The client verbs of <c>granary</c> (everything but <c>run</c>): each talks to a silo's HTTP API, at
/// <c>--server</c> / <c>GRANARY_SERVER</c> (default <see cref="DefaultServer"/>) with the token of <c>--token</c> /
/// <c>GRANARY_TOKEN</c>. Exit codes: 0 done, 1 the request failed, 2 the command line is wrong.
/// </summary>
public static class CliApp
{
    /// <summary>The server when neither <c>--server</c> nor <c>GRANARY_SERVER</c> names one (what <c>granary run</c> listens on by default).</summary>
    public const string DefaultServer = "http://127.0.0.1:9090";

    private static readonly CliOption ServerOption = new("--server", "-s", true, $"the silo's address (GRANARY_SERVER, default {DefaultServer})");
    private static readonly CliOption TokenOption = new("--token", null, true, "the API token (GRANARY_TOKEN)");

    /// <summary>Every client verb.</summary>
    public static IReadOnlyList<ClientVerb> Verbs { get; } =
    [
        GetVerb.Verb,
        ApplyVerb.Verb,
        ResourceActionVerbs.Delete,
        ResourceActionVerbs.Reconcile,
        ResourceActionVerbs.Suspend,
        ResourceActionVerbs.Resume,
        HistoryVerb.Verb,
        AtVerb.Verb,
        EventsVerb.Verb,
        TraceVerb.Verb,
        TreeVerb.Verb,
        DeployedVerb.Verb,
        BuildVerb.Verb,
        DiffVerb.Verb,
        VerifyVerb.Verb,
    ];

    /// <summary>Whether <paramref name="verb"/> is a client verb.</summary>
    public static bool Handles(string verb) => Verbs.Any(v => v.Name == verb);

    /// <summary>Writes the client verbs' usage lines.</summary>
    public static void WriteHelp(TextWriter output)
    {
        foreach (var verb in Verbs)
        {
            output.WriteLine($"  granary {verb.Usage,-62} {verb.Summary}");
        }

        output.WriteLine($"  client options: --server/-s URL (GRANARY_SERVER, default {DefaultServer}), --token TOKEN (GRANARY_TOKEN)");
    }

    /// <summary>
    /// Runs the client verb <c>args[0]</c> with the rest of <paramref name="args"/>, writing results to
    /// <paramref name="output"/> and diagnostics to <paramref name="error"/>; <paramref name="environment"/> reads
    /// <c>GRANARY_SERVER</c> and <c>GRANARY_TOKEN</c>. Returns the exit code.
    /// </summary>
    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter output, TextWriter error, Func<string, string?> environment, CancellationToken cancellationToken)
    {
        var verb = Verbs.FirstOrDefault(v => v.Name == args.FirstOrDefault());
        if (verb is null)
        {
            await error.WriteLineAsync($"granary: unknown verb '{args.FirstOrDefault()}'; granary --help lists them");
            return 2;
        }

        if (args.Skip(1).Any(a => a is "--help" or "-h"))
        {
            await output.WriteLineAsync($"usage: granary {verb.Usage}");
            await output.WriteLineAsync(verb.Summary);
            foreach (var option in verb.Options.Append(ServerOption).Append(TokenOption))
            {
                await output.WriteLineAsync($"  {(option.Alias is null ? "   " : option.Alias + ",")} {option.Name,-18} {option.Description}");
            }

            return 0;
        }

        CliArguments arguments;
        Uri server;
        try
        {
            arguments = CliArguments.Parse(args.Skip(1), [.. verb.Options, ServerOption, TokenOption]);
            var address = arguments.Value(ServerOption.Name) ?? environment("GRANARY_SERVER") ?? DefaultServer;
            if (!Uri.TryCreate(address.Contains("://") ? address : "http://" + address, UriKind.Absolute, out server!))
            {
                throw new CliUsageException($"--server: '{address}' is not an address; e.g. {DefaultServer}");
            }
        }
        catch (CliUsageException exception)
        {
            await error.WriteLineAsync($"granary {verb.Name}: {exception.Message}");
            await error.WriteLineAsync($"usage: granary {verb.Usage}");
            return 2;
        }

        using var api = ApiClient.Create(server, arguments.Value(TokenOption.Name) ?? environment("GRANARY_TOKEN"), Spinner.ForConsole(error));
        try
        {
            return await verb.RunAsync(new CliSession(arguments, api, output, error, environment), cancellationToken);
        }
        catch (CliUsageException exception)
        {
            await error.WriteLineAsync($"granary {verb.Name}: {exception.Message}");
            await error.WriteLineAsync($"usage: granary {verb.Usage}");
            return 2;
        }
        catch (CliFailure failure)
        {
            await error.WriteLineAsync($"granary {verb.Name}: {failure.Message}");
            return failure.ExitCode;
        }
        catch (ApiRejection rejection)
        {
            await error.WriteLineAsync($"granary {verb.Name}: {rejection.Error.Message}");
            return 1;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return 0;
        }
    }
}
