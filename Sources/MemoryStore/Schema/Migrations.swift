/// Every schema migration memoryd knows, oldest first.
public enum Migrations {
    public static let all: [Migration] = [coreTables, recordsView, redactionsTable, eventTables, memoryTables, derivedRunTables, ingestSequenceTables, policyTables, opsTables, trackerTables]

    /// Telemetry tables and ingest checkpoints. Client retries are idempotent: the writer skips
    /// spans whose (trace_id, span_id), and logs and points whose content key, are stored
    /// already. No primary keys: their indexes would cost RAM per row and slow every insert;
    /// the writer's lookups are limited to the batch's time range, which zonemaps prune.
    /// Resources are stored once (they repeat on every span of a process).
    static let coreTables = Migration(version: 1, name: "core telemetry tables", sql: """
        CREATE TABLE spans (
            trace_id VARCHAR NOT NULL,
            span_id VARCHAR NOT NULL,
            parent_span_id VARCHAR,
            trace_state VARCHAR,
            name VARCHAR NOT NULL,
            span_kind VARCHAR NOT NULL,
            start_time TIMESTAMPTZ NOT NULL,
            end_time TIMESTAMPTZ NOT NULL,
            start_time_unix_nano BIGINT NOT NULL,
            end_time_unix_nano BIGINT NOT NULL,
            duration_ns BIGINT NOT NULL,
            status_code VARCHAR NOT NULL,
            status_message VARCHAR,
            span_type VARCHAR NOT NULL,
            message VARCHAR,
            level UTINYINT NOT NULL,
            tags VARCHAR[],
            is_exception BOOLEAN NOT NULL,
            exception_type VARCHAR,
            exception_message VARCHAR,
            exception_stacktrace VARCHAR,
            service_name VARCHAR,
            service_version VARCHAR,
            scope_name VARCHAR,
            scope_version VARCHAR,
            resource_id VARCHAR,
            attributes JSON,
            events JSON,
            links JSON,
            run_id VARCHAR,
            packet_id VARCHAR,
            milestone VARCHAR,
            agent VARCHAR,
            attempt BIGINT,
            stage VARCHAR,
            stage_index BIGINT,
            flags BIGINT NOT NULL,
            dropped_attributes_count BIGINT NOT NULL,
            dropped_events_count BIGINT NOT NULL,
            dropped_links_count BIGINT NOT NULL,
            received_at TIMESTAMPTZ NOT NULL
        );
        -- Logfire's pending spans announce a span that has started; the real span replaces it.
        CREATE TABLE pending_spans AS SELECT * FROM spans LIMIT 0;
        CREATE TABLE logs (
            log_key VARCHAR NOT NULL,
            time TIMESTAMPTZ NOT NULL,
            time_unix_nano BIGINT NOT NULL,
            observed_time_unix_nano BIGINT NOT NULL,
            severity_number INTEGER NOT NULL,
            severity_text VARCHAR,
            level UTINYINT NOT NULL,
            message VARCHAR,
            body JSON,
            event_name VARCHAR,
            trace_id VARCHAR,
            span_id VARCHAR,
            flags BIGINT NOT NULL,
            service_name VARCHAR,
            service_version VARCHAR,
            scope_name VARCHAR,
            scope_version VARCHAR,
            resource_id VARCHAR,
            attributes JSON,
            run_id VARCHAR,
            packet_id VARCHAR,
            milestone VARCHAR,
            agent VARCHAR,
            attempt BIGINT,
            stage VARCHAR,
            stage_index BIGINT,
            received_at TIMESTAMPTZ NOT NULL
        );
        CREATE TABLE metric_points (
            point_key VARCHAR NOT NULL,
            metric_name VARCHAR NOT NULL,
            description VARCHAR,
            unit VARCHAR,
            metric_type VARCHAR NOT NULL,
            temporality VARCHAR,
            is_monotonic BOOLEAN,
            start_time TIMESTAMPTZ,
            time TIMESTAMPTZ NOT NULL,
            start_time_unix_nano BIGINT NOT NULL,
            time_unix_nano BIGINT NOT NULL,
            value DOUBLE,
            int_value BIGINT,
            count BIGINT,
            sum DOUBLE,
            min DOUBLE,
            max DOUBLE,
            buckets JSON,
            exemplars JSON,
            flags BIGINT NOT NULL,
            service_name VARCHAR,
            scope_name VARCHAR,
            scope_version VARCHAR,
            resource_id VARCHAR,
            attributes JSON,
            run_id VARCHAR,
            received_at TIMESTAMPTZ NOT NULL
        );
        CREATE TABLE resources (
            resource_id VARCHAR NOT NULL,
            service_name VARCHAR,
            service_version VARCHAR,
            attributes JSON NOT NULL,
            first_seen TIMESTAMPTZ NOT NULL
        );
        CREATE TABLE ingest_checkpoints (
            source VARCHAR PRIMARY KEY,
            position BIGINT NOT NULL,
            file_identity VARCHAR,
            rows_total BIGINT NOT NULL,
            rejected_total BIGINT NOT NULL,
            updated_at TIMESTAMPTZ NOT NULL
        );
        """)

    /// Logfire's `records` table, so queries written for Logfire run here unchanged:
    /// spans (Logfire's log-type spans have no duration) and OTel log records.
    static let recordsView = Migration(version: 2, name: "records view", sql: """
        CREATE VIEW records AS
        SELECT
            s.start_time AS start_timestamp,
            s.end_time AS end_timestamp,
            CASE WHEN s.span_type = 'log' THEN NULL ELSE s.duration_ns / 1e9 END AS duration,
            s.trace_id, s.span_id, s.parent_span_id,
            s.name AS span_name,
            s.message, s.level,
            s.span_type AS kind,
            s.attributes, s.tags, s.is_exception, s.exception_type, s.exception_message, s.exception_stacktrace,
            s.service_name, s.service_version,
            s.scope_name AS otel_scope_name, s.scope_version AS otel_scope_version,
            r.attributes AS otel_resource_attributes,
            s.events AS otel_events, s.links AS otel_links,
            s.span_kind AS otel_span_kind,
            s.status_code AS otel_status_code, s.status_message AS otel_status_message,
            s.run_id, s.packet_id, s.milestone, s.agent, s.attempt, s.stage, s.stage_index,
            s.received_at AS created_at
        FROM spans s LEFT JOIN resources r USING (resource_id)
        UNION ALL
        SELECT
            l.time, l.time, NULL,
            l.trace_id, l.span_id, NULL,
            coalesce(l.event_name, l.severity_text, 'log'),
            l.message, l.level,
            'log',
            l.attributes, NULL, false, NULL, NULL, NULL,
            l.service_name, l.service_version,
            l.scope_name, l.scope_version,
            r.attributes,
            NULL, NULL,
            NULL,
            NULL, NULL,
            l.run_id, l.packet_id, l.milestone, l.agent, l.attempt, l.stage, l.stage_index,
            l.received_at
        FROM logs l LEFT JOIN resources r USING (resource_id);
        """)

    /// What redaction replaced before rows were stored: where and by which rule, never the value.
    static let redactionsTable = Migration(version: 3, name: "redactions", sql: """
        CREATE TABLE redactions (
            table_name VARCHAR NOT NULL,
            row_key VARCHAR NOT NULL,
            path VARCHAR NOT NULL,
            rule VARCHAR NOT NULL,
            kind VARCHAR NOT NULL,
            redacted_at TIMESTAMPTZ NOT NULL
        );
        """)

    /// Watcher event envelopes as received, and the lines refused on the way in. An envelope is
    /// identified by (source, id): a redelivery carries the same pair and the same `time`, so
    /// the writer's duplicate lookup is bounded by time, like the telemetry tables' (no keys,
    /// for the reason given on migration 1). `ingest_source` is where the line came from (a file
    /// path or `stdin`), `source` the envelope's producer.
    static let eventTables = Migration(version: 4, name: "events and ingest rejects", sql: """
        CREATE TABLE events (
            ingest_source VARCHAR NOT NULL,
            source VARCHAR NOT NULL,
            id VARCHAR NOT NULL,
            topic VARCHAR NOT NULL,
            type VARCHAR NOT NULL,
            time TIMESTAMPTZ NOT NULL,
            run_id VARCHAR,
            packet_id VARCHAR,
            trace_id VARCHAR,
            partition BIGINT,
            "offset" BIGINT,
            dataschema VARCHAR,
            data JSON NOT NULL,
            unknown_topic BOOLEAN NOT NULL,
            line BIGINT NOT NULL,
            byte_offset BIGINT NOT NULL,
            received_at TIMESTAMPTZ NOT NULL
        );
        CREATE TABLE ingest_rejects (
            ingest_source VARCHAR NOT NULL,
            line BIGINT NOT NULL,
            byte_offset BIGINT NOT NULL,
            kind VARCHAR NOT NULL,
            reason VARCHAR NOT NULL,
            excerpt VARCHAR NOT NULL,
            received_at TIMESTAMPTZ NOT NULL
        );
        """)

    /// Facts agents write (`memory_upsert`) and every version of them. `memories` holds the
    /// current version only; a key is small and updated in place, so it has a primary key.
    /// `memory_history` keeps who wrote each version, when, from which surface, run and trace.
    /// `search_documents` is the text the search index covers (span names and messages, log
    /// bodies, event payloads, facts), filled by the search indexer behind ingest; `search_state`
    /// holds the indexer's high-water marks.
    static let memoryTables = Migration(version: 5, name: "memories and search documents", sql: """
        CREATE TABLE memories (
            namespace VARCHAR NOT NULL,
            key VARCHAR NOT NULL,
            value JSON NOT NULL,
            version BIGINT NOT NULL,
            run_id VARCHAR,
            trace_id VARCHAR,
            source VARCHAR,
            surface VARCHAR NOT NULL,
            written_by VARCHAR,
            created_at TIMESTAMPTZ NOT NULL,
            updated_at TIMESTAMPTZ NOT NULL,
            expires_at TIMESTAMPTZ,
            PRIMARY KEY (namespace, key)
        );
        CREATE TABLE memory_history (
            namespace VARCHAR NOT NULL,
            key VARCHAR NOT NULL,
            version BIGINT NOT NULL,
            value JSON NOT NULL,
            run_id VARCHAR,
            trace_id VARCHAR,
            source VARCHAR,
            surface VARCHAR NOT NULL,
            written_by VARCHAR,
            written_at TIMESTAMPTZ NOT NULL,
            expires_at TIMESTAMPTZ
        );
        CREATE SEQUENCE search_document_ids;
        CREATE TABLE search_documents (
            doc_id BIGINT NOT NULL,
            kind VARCHAR NOT NULL,
            ref VARCHAR NOT NULL,
            time TIMESTAMPTZ NOT NULL,
            run_id VARCHAR,
            trace_id VARCHAR,
            title VARCHAR,
            body VARCHAR NOT NULL
        );
        CREATE TABLE search_state (
            kind VARCHAR PRIMARY KEY,
            watermark TIMESTAMPTZ NOT NULL
        );
        """)

    /// Tables derived from the raw rows (`events`, `spans`): guard outcomes and state
    /// transitions as typed rows, and per run and stage summaries built from spans and
    /// envelopes together. They are pure functions of the raw rows, so `memoryd replay`
    /// rebuilds them identically; `derive_state` holds the deriver's high-water marks.
    static let derivedRunTables = Migration(version: 6, name: "derived run tables", sql: """
        CREATE TABLE guard_outcomes (
            source VARCHAR NOT NULL,
            event_id VARCHAR NOT NULL,
            run_id VARCHAR NOT NULL,
            packet_id VARCHAR,
            stage VARCHAR,
            guard_id VARCHAR NOT NULL,
            decision VARCHAR NOT NULL,
            reason_code VARCHAR NOT NULL,
            action VARCHAR,
            decided_at TIMESTAMPTZ NOT NULL,
            trace_id VARCHAR,
            span_id VARCHAR,
            detail JSON
        );
        CREATE TABLE state_transitions (
            source VARCHAR NOT NULL,
            event_id VARCHAR NOT NULL,
            run_id VARCHAR NOT NULL,
            packet_id VARCHAR,
            from_state VARCHAR NOT NULL,
            to_state VARCHAR NOT NULL,
            reason_code VARCHAR NOT NULL,
            actor VARCHAR,
            seq BIGINT,
            "at" TIMESTAMPTZ NOT NULL
        );
        CREATE TABLE runs (
            run_id VARCHAR NOT NULL,
            packet_id VARCHAR,
            milestone VARCHAR,
            agent VARCHAR,
            attempt BIGINT,
            first_seen TIMESTAMPTZ,
            last_seen TIMESTAMPTZ,
            current_state VARCHAR,
            status VARCHAR NOT NULL,
            span_count BIGINT NOT NULL,
            error_count BIGINT NOT NULL,
            guard_denies BIGINT NOT NULL,
            transition_count BIGINT NOT NULL
        );
        CREATE TABLE stages (
            run_id VARCHAR NOT NULL,
            stage VARCHAR NOT NULL,
            stage_index BIGINT,
            start_time TIMESTAMPTZ,
            end_time TIMESTAMPTZ,
            duration_ms DOUBLE,
            status VARCHAR NOT NULL,
            attempts BIGINT NOT NULL,
            guard_denies BIGINT NOT NULL
        );
        CREATE TABLE derive_state (
            source VARCHAR PRIMARY KEY,
            watermark TIMESTAMPTZ NOT NULL
        );
        """)
}
