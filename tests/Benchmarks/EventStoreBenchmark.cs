using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Granary.EventStore;
using Granary.EventStore.Serialization;
using Granary.Testing;
using Npgsql;
using NpgsqlTypes;

namespace Granary.Benchmarks;

/// <summary>Measures the event store against a plain INSERT baseline on the same PostgreSQL, in one run.</summary>
internal static class EventStoreBenchmark
{
    private const int Writers = 4;
    private const int BatchSize = 100;
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(10);

    private sealed record ArtifactSeen(string Revision, string Digest, long Size);

    public static async Task RunAsync(CancellationToken cancellationToken)
    {
        var schema = TestPostgres.NewSchema("bench");
        var options = new EventStoreOptions { ConnectionString = TestPostgres.ConnectionString, Schema = schema };
        var registry = new EventTypeRegistry().Register<ArtifactSeen>("bench.artifact-seen");
        await using var store = await PostgresEventStore.OpenAsync(options, registry, cancellationToken);
        try
        {
            var raw = await RawInsertRowsPerSecondAsync(store.DataSource, schema, cancellationToken);
            Figures.Print("raw_insert_batch100_rows_per_s", raw, "rows/s");

            var batched = await AppendEventsPerSecondAsync(store, BatchSize, "batch", cancellationToken);
            Figures.Print("append_batch100_events_per_s", batched, "events/s");
            Figures.Print("append_ratio", batched / raw, "x");

            var single = await AppendEventsPerSecondAsync(store, 1, "single", cancellationToken);
            Figures.Print("append_single_events_per_s", single, "events/s");

            Figures.Print("fold_events_per_s", await FoldEventsPerSecondAsync(store, cancellationToken), "events/s");
            Figures.Print("read_all_events_per_s", await ReadAllEventsPerSecondAsync(store, cancellationToken), "events/s");
        }
        finally
        {
            await TestPostgres.DropSchemaAsync(schema);
        }
    }

    /// <summary>The baseline: multi-row INSERTs of the events table's row shape into a copy of it (same columns and indexes).</summary>
    private static async Task<double> RawInsertRowsPerSecondAsync(NpgsqlDataSource dataSource, string schema, CancellationToken cancellationToken)
    {
        await using (var create = dataSource.CreateCommand($"CREATE TABLE {schema}.raw_events (LIKE {schema}.events INCLUDING ALL)"))
        {
            await create.ExecuteNonQueryAsync(cancellationToken);
        }

        var values = string.Join(", ", Enumerable.Range(0, BatchSize).Select(r =>
            "(" + string.Join(", ", Enumerable.Range(1, 11).Select(c => $"${r * 11 + c}")) + ")"));
        var sql = $"INSERT INTO {schema}.raw_events (event_id, stream_id, stream_version, type, schema_version, data, correlation_id, causation_id, actor, created_at, hash) VALUES {values}";
        var payload = Encoding.UTF8.GetString(new EventTypeRegistry().Register<ArtifactSeen>("x").Serialize(Sample(0)));

        return await MeasureAsync(async (writer, iteration) =>
        {
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await using var command = new NpgsqlCommand(sql, connection, transaction);
            var stream = $"raw-{writer}-{iteration}";
            for (var row = 0; row < BatchSize; row++)
            {
                command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = Guid.CreateVersion7() });
                command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = stream });
                command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = row + 1 });
                command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = "bench.artifact-seen" });
                command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = 1 });
                command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = payload, NpgsqlDbType = NpgsqlDbType.Json });
                command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = "corr" });
                command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = "cause" });
                command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = "bench" });
                command.Parameters.Add(new NpgsqlParameter<DateTime> { TypedValue = DateTime.UtcNow });
                command.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = RandomNumberGenerator.GetBytes(32) });
            }

            await command.ExecuteNonQueryAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return BatchSize;
        }, cancellationToken);
    }

    private static Task<double> AppendEventsPerSecondAsync(PostgresEventStore store, int batchSize, string prefix, CancellationToken cancellationToken)
    {
        var metadata = new EventMetadata("corr", "cause", "bench");
        return MeasureAsync(async (writer, iteration) =>
        {
            var events = Enumerable.Range(0, batchSize).Select(i => EventData.Create(Sample(i))).ToArray();
            var stream = $"{prefix}-{writer}-{iteration}";
            await store.AppendAsync(stream, ExpectedVersion.NoStream, events, metadata, cancellationToken);
            return batchSize;
        }, cancellationToken);
    }

    private static async Task<double> FoldEventsPerSecondAsync(PostgresEventStore store, CancellationToken cancellationToken)
    {
        const int total = 100_000;
        const string stream = "fold-100k";
        for (var version = 0; version < total; version += 1000)
        {
            var events = Enumerable.Range(version, 1000).Select(i => EventData.Create(Sample(i))).ToArray();
            await store.AppendAsync(stream, ExpectedVersion.Exact(version), events, cancellationToken: cancellationToken);
        }

        var best = double.MaxValue;
        for (var run = 0; run < 3; run++)
        {
            var clock = Stopwatch.StartNew();
            long size = 0;
            var count = 0;
            await foreach (var recorded in store.ReadStreamAsync(stream, cancellationToken: cancellationToken))
            {
                size += ((ArtifactSeen)recorded.Data).Size;
                count++;
            }

            if (count != total || size <= 0)
            {
                throw new InvalidOperationException($"Folded {count} events (size {size}); expected {total}.");
            }

            best = Math.Min(best, clock.Elapsed.TotalSeconds);
        }

        return total / best;
    }

    private static async Task<double> ReadAllEventsPerSecondAsync(PostgresEventStore store, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        long count = 0;
        await foreach (var _ in store.ReadAllToEndAsync(GlobalPosition.Start, pageSize: 5000, cancellationToken))
        {
            count++;
        }

        return count / clock.Elapsed.TotalSeconds;
    }

    /// <summary>Runs <see cref="Writers"/> loops for <see cref="Window"/>; each step returns how many rows it wrote.</summary>
    private static async Task<double> MeasureAsync(Func<int, int, Task<int>> step, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var counts = await Task.WhenAll(Enumerable.Range(0, Writers).Select(writer => Task.Run(async () =>
        {
            long written = 0;
            for (var iteration = 0; clock.Elapsed < Window && !cancellationToken.IsCancellationRequested; iteration++)
            {
                written += await step(writer, iteration);
            }

            return written;
        }, cancellationToken)));
        return counts.Sum() / clock.Elapsed.TotalSeconds;
    }

    private static ArtifactSeen Sample(int i) =>
        new($"main@sha1:{i:x40}", $"sha256:{i:x64}", 1024 + i);
}
