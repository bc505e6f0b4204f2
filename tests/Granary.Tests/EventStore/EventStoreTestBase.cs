using Granary.EventStore;
using Granary.EventStore.Serialization;
using Granary.Testing;

namespace Granary.Tests.EventStore;

/// <summary>Each test class gets its own schema in the test PostgreSQL, dropped afterwards.</summary>
public abstract class EventStoreTestBase : IAsyncLifetime
{
    protected string Schema { get; } = TestPostgres.NewSchema("es");

    protected PostgresEventStore Store { get; private set; } = null!;

    protected EventStoreOptions Options => new() { ConnectionString = TestPostgres.ConnectionString, Schema = Schema };

    public virtual async Task InitializeAsync() => Store = await OpenStoreAsync();

    public virtual async Task DisposeAsync()
    {
        await Store.DisposeAsync();
        await TestPostgres.DropSchemaAsync(Schema);
    }

    protected Task<PostgresEventStore> OpenStoreAsync(EventTypeRegistry? registry = null) =>
        PostgresEventStore.OpenAsync(Options, registry ?? TestEvents.Registry());

    protected static EventData[] Increments(params int[] amounts) => amounts.Select(a => EventData.Create(new CounterIncremented(a))).ToArray();

    protected async Task<List<RecordedEvent>> ReadAsync(string streamId)
    {
        var events = new List<RecordedEvent>();
        await foreach (var recorded in Store.ReadStreamAsync(streamId))
        {
            events.Add(recorded);
        }

        return events;
    }
}

/// <summary>A counter went up.</summary>
public sealed record CounterIncremented(int By);

/// <summary>A note was written.</summary>
public sealed record NoteAdded(string Text);

/// <summary>Event types the event store tests use.</summary>
public static class TestEvents
{
    public static EventTypeRegistry Registry() => new EventTypeRegistry()
        .Register<CounterIncremented>("test.counter-incremented")
        .Register<NoteAdded>("test.note-added");
}
