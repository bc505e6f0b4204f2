using System.Text.Json.Nodes;
using Granary.EventStore;
using Granary.EventStore.Serialization;

namespace Granary.Tests.EventStore;

public sealed class Stored_event_types_are_stable_and_upcast : EventStoreTestBase
{
    private sealed record RenamedV1(string Name);

    private sealed record RenamedV2(string FullName, string Source);

    [Fact]
    public async Task Reading_an_unregistered_type_names_the_type_stream_and_position()
    {
        await Store.AppendAsync("types-1", ExpectedVersion.NoStream, [EventData.Create(new NoteAdded("x"))]);
        await using var reader = await OpenStoreAsync(new EventTypeRegistry().Register<CounterIncremented>("test.counter-incremented"));

        var error = await Assert.ThrowsAsync<UnknownEventTypeException>(async () =>
        {
            await foreach (var _ in reader.ReadStreamAsync("types-1"))
            {
            }
        });

        Assert.Equal("test.note-added", error.EventType);
        Assert.Equal("types-1", error.Location.StreamId);
        Assert.Equal(1, error.Location.StreamVersion);
        Assert.Contains("'test.note-added' v1", error.Message);
        Assert.Contains("stream 'types-1' version 1", error.Message);
        Assert.Contains("feed position", error.Message);
    }

    [Fact]
    public async Task Old_schema_versions_are_upcast_on_read()
    {
        await using var oldWriter = await OpenStoreAsync(new EventTypeRegistry().Register<RenamedV1>("test.renamed", 1));
        await oldWriter.AppendAsync("types-2", ExpectedVersion.NoStream, [EventData.Create(new RenamedV1("apps"))]);

        var current = new EventTypeRegistry()
            .Register<RenamedV2>("test.renamed", 2)
            .Upcast("test.renamed", 1, v1 => new JsonObject { ["fullName"] = v1["name"]!.GetValue<string>(), ["source"] = "upcast" });
        await using var newReader = await OpenStoreAsync(current);

        var events = new List<RecordedEvent>();
        await foreach (var recorded in newReader.ReadStreamAsync("types-2"))
        {
            events.Add(recorded);
        }

        var upcast = Assert.IsType<RenamedV2>(Assert.Single(events).Data);
        Assert.Equal(new RenamedV2("apps", "upcast"), upcast);
        Assert.Equal(1, events[0].SchemaVersion);
        Assert.True((await newReader.VerifyStreamAsync("types-2")).IsIntact, "upcasting happens on read; the stored bytes and their hash are untouched");
    }

    [Fact]
    public async Task A_newer_schema_than_this_process_knows_is_a_clear_error()
    {
        await using var newer = await OpenStoreAsync(new EventTypeRegistry().Register<RenamedV2>("test.renamed", 2));
        await newer.AppendAsync("types-3", ExpectedVersion.NoStream, [EventData.Create(new RenamedV2("a", "b"))]);
        await using var older = await OpenStoreAsync(new EventTypeRegistry().Register<RenamedV1>("test.renamed", 1));

        var error = await Assert.ThrowsAsync<UnknownEventTypeException>(async () =>
        {
            await foreach (var _ in older.ReadStreamAsync("types-3"))
            {
            }
        });
        Assert.Contains("only up to schema v1", error.Message);
    }

    [Fact]
    public void One_name_cannot_belong_to_two_types()
    {
        var registry = new EventTypeRegistry().Register<RenamedV1>("test.renamed");
        var error = Assert.Throws<InvalidOperationException>(() => registry.Register<RenamedV2>("test.renamed"));
        Assert.Contains("already taken", error.Message);
    }
}
