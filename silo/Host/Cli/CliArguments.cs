namespace Granary.Silo.Cli;

/// <summary>
/// A client verb's command line: positional arguments and options (<c>--name value</c>, <c>--name=value</c>, short
/// aliases such as <c>-n</c>). An option the verb does not know is a usage error naming it.
/// </summary>
public sealed class CliArguments
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _flags = new(StringComparer.Ordinal);

    private CliArguments(IReadOnlyList<string> positional) => Positional = positional;

    /// <summary>The arguments that are not options, in order (the verb excluded).</summary>
    public IReadOnlyList<string> Positional { get; }

    /// <summary>Parses <paramref name="args"/> against the verb's options; throws <see cref="CliUsageException"/> on an unknown option or a missing value.</summary>
    public static CliArguments Parse(IEnumerable<string> args, IReadOnlyList<CliOption> options)
    {
        var positional = new List<string>();
        var parsed = new CliArguments(positional);
        using var reader = args.GetEnumerator();
        while (reader.MoveNext())
        {
            var arg = reader.Current;
            if (!arg.StartsWith('-') || arg == "-")
            {
                positional.Add(arg);
                continue;
            }

            var equals = arg.IndexOf('=');
            var name = equals > 0 ? arg[..equals] : arg;
            var option = options.FirstOrDefault(o => o.Name == name || o.Alias == name)
                ?? throw new CliUsageException($"unknown option '{name}'; this verb takes {string.Join(", ", options.Select(o => o.Alias is null ? o.Name : $"{o.Alias}/{o.Name}"))}");
            if (!option.TakesValue)
            {
                parsed._flags.Add(option.Name);
                continue;
            }

            if (equals > 0)
            {
                parsed._values[option.Name] = arg[(equals + 1)..];
            }
            else if (reader.MoveNext())
            {
                parsed._values[option.Name] = reader.Current;
            }
            else
            {
                throw new CliUsageException($"{option.Name} needs a value ({option.Description})");
            }
        }

        return parsed;
    }

    /// <summary>The value of option <paramref name="name"/>, or null when it was not given.</summary>
    public string? Value(string name) => _values.GetValueOrDefault(name);

    /// <summary>Whether flag <paramref name="name"/> was given.</summary>
    public bool Flag(string name) => _flags.Contains(name);
}

/// <summary>An option a verb understands.</summary>
/// <param name="Name">Its long name, e.g. <c>--namespace</c>.</param>
/// <param name="Alias">Its short name, e.g. <c>-n</c>, or null.</param>
/// <param name="TakesValue">False for a flag.</param>
/// <param name="Description">What it does, for help and errors.</param>
public sealed record CliOption(string Name, string? Alias, bool TakesValue, string Description);

/// <summary>A command line the verb cannot run: exit code 2 and the message.</summary>
public sealed class CliUsageException(string message) : Exception(message);

/// <summary>A request that failed in a way the user can act on: the message says what to do; <see cref="ExitCode"/> is the process's exit code.</summary>
public sealed class CliFailure(string message, int exitCode = 1) : Exception(message)
{
    /// <summary>The exit code to return.</summary>
    public int ExitCode { get; } = exitCode;
}
