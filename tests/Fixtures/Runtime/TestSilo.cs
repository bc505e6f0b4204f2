using Granary.Contracts.Grains;
using Granary.Runtime;

namespace Granary.Testing.Runtime;

/// <summary>
/// A silo started in-process against the test PostgreSQL, in a schema of its own. <see cref="RestartAsync"/> stops
/// it and starts a new one on the same schema, as a process restart would.
/// </summary>
public sealed class TestSilo : IAsyncDisposable
{
    private readonly Func<string, SiloOptions> _options;
    private readonly bool _ownsSchema;

    private TestSilo(Func<string, SiloOptions> options, string schema, bool ownsSchema, Silo silo)
    {
        _options = options;
        _ownsSchema = ownsSchema;
        Schema = schema;
        Silo = silo;
    }

    /// <summary>The schema this silo's events, snapshots and reminders live in.</summary>
    public string Schema { get; }

    /// <summary>The running silo.</summary>
    public Silo Silo { get; private set; }

    /// <summary>Calls grains.</summary>
    public IGrainFactory Grains => Silo.GrainFactory;

    /// <summary>
    /// Starts a silo. <paramref name="configure"/> builds its options from the connection string and schema (so a
    /// restart gets fresh registries); pass <paramref name="schema"/> to share another silo's data.
    /// </summary>
    public static async Task<TestSilo> StartAsync(Func<(string ConnectionString, string Schema), SiloOptions> configure, string? schema = null)
    {
        var ownsSchema = schema is null;
        schema ??= TestPostgres.NewSchema("silo");
        SiloOptions Options(string s) => configure((TestPostgres.ConnectionString, s));
        return new TestSilo(Options, schema, ownsSchema, await Silo.StartAsync(Options(schema)));
    }

    /// <summary>Stops the silo (deactivating every grain) and starts a new one on the same schema.</summary>
    public async Task RestartAsync()
    {
        await Silo.StopAsync();
        Silo = await Silo.StartAsync(_options(Schema));
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await Silo.StopAsync();
        if (_ownsSchema)
        {
            await TestPostgres.DropSchemaAsync(Schema);
        }
    }
}
