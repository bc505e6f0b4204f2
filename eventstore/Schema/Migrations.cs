namespace Granary.EventStore.Schema;

/// <summary>The event store's schema history. Append new migrations; never edit a released one.</summary>
internal static class Migrations
{
    internal static IReadOnlyList<SchemaMigration> All { get; } =
    [
        new SchemaMigration("streams, events, snapshots, subscriptions, blobs", schema => $"""
            CREATE TABLE {schema}.streams (
                stream_id  text PRIMARY KEY,
                version    bigint NOT NULL,
                last_hash  bytea NOT NULL,
                last_at    timestamptz NOT NULL);

            -- tx_id is the writing transaction's id; the global feed is ordered by (tx_id, seq).
            -- Feed/GlobalFeed.cs explains why readers never skip an event.
            CREATE TABLE {schema}.events (
                seq             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                tx_id           xid8 NOT NULL DEFAULT pg_current_xact_id(),
                event_id        uuid NOT NULL,
                stream_id       text NOT NULL,
                stream_version  bigint NOT NULL,
                type            text NOT NULL,
                schema_version  int NOT NULL,
                data            json NOT NULL,
                correlation_id  text,
                causation_id    text,
                actor           text,
                created_at      timestamptz NOT NULL,
                hash            bytea NOT NULL,
                CONSTRAINT events_stream_version_key UNIQUE (stream_id, stream_version),
                CONSTRAINT events_event_id_key UNIQUE (event_id));
            CREATE INDEX events_feed_idx ON {schema}.events (tx_id, seq);

            CREATE TABLE {schema}.snapshots (
                stream_id  text PRIMARY KEY,
                version    bigint NOT NULL,
                data       json NOT NULL,
                saved_at   timestamptz NOT NULL DEFAULT now());

            CREATE TABLE {schema}.subscriptions (
                name        text PRIMARY KEY,
                tx_id       xid8 NOT NULL,
                seq         bigint NOT NULL,
                updated_at  timestamptz NOT NULL DEFAULT now());

            CREATE TABLE {schema}.blobs (
                digest      text PRIMARY KEY,
                size        bigint NOT NULL,
                data        bytea NOT NULL,
                created_at  timestamptz NOT NULL DEFAULT now());
            """),
    ];
}
