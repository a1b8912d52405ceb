extension Migrations {
    /// Envelope ingest bookkeeping, written in the same transaction as the `events` rows:
    /// `ingest_partitions` is the checkpoint of each producer partition (highest offset stored,
    /// how many envelopes); `run_sequence` holds each sequenced transition's place in its run
    /// (run, seq → event, from/to state), the narrow table the ingest's seq checks consult
    /// instead of scanning `events.data`. `runs.seq_gaps` counts the seq numbers a run's
    /// stored transitions skip (below its highest).
    static let ingestSequenceTables = Migration(version: 7, name: "partition checkpoints, run sequences", sql: """
        CREATE TABLE ingest_partitions (
            source VARCHAR NOT NULL,
            partition BIGINT NOT NULL,
            highest_offset BIGINT NOT NULL,
            envelopes BIGINT NOT NULL,
            updated_at TIMESTAMPTZ NOT NULL,
            PRIMARY KEY (source, partition)
        );
        CREATE TABLE run_sequence (
            run_id VARCHAR NOT NULL,
            seq BIGINT NOT NULL,
            source VARCHAR NOT NULL,
            event_id VARCHAR NOT NULL,
            from_state VARCHAR NOT NULL,
            to_state VARCHAR NOT NULL
        );
        INSERT INTO run_sequence
        SELECT data->>'run_id', CAST(data->>'seq' AS BIGINT), source, id, data->>'from_state', data->>'to_state'
        FROM events WHERE topic = 'dome.run.transition' AND NOT unknown_topic AND (data->>'seq') IS NOT NULL;
        ALTER TABLE runs ADD COLUMN seq_gaps BIGINT DEFAULT 0;
        """)
}
