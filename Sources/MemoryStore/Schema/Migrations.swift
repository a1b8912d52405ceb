/// Every schema migration memoryd knows, oldest first.
public enum Migrations {
    public static let all: [Migration] = [coreTables, recordsView]

    /// Telemetry tables and ingest checkpoints. Primary keys make client retries idempotent:
    /// spans on (trace_id, span_id), logs and points on a stable content key.
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
            resource_attributes JSON,
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
            received_at TIMESTAMPTZ NOT NULL,
            PRIMARY KEY (trace_id, span_id)
        );
        -- Logfire's pending spans announce a span that has started; the real span replaces it.
        CREATE TABLE pending_spans AS SELECT * FROM spans LIMIT 0;
        CREATE TABLE logs (
            log_key VARCHAR PRIMARY KEY,
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
            resource_attributes JSON,
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
            point_key VARCHAR PRIMARY KEY,
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
            resource_attributes JSON,
            attributes JSON,
            run_id VARCHAR,
            received_at TIMESTAMPTZ NOT NULL
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
            start_time AS start_timestamp,
            end_time AS end_timestamp,
            CASE WHEN span_type = 'log' THEN NULL ELSE duration_ns / 1e9 END AS duration,
            trace_id, span_id, parent_span_id,
            name AS span_name,
            message, level,
            span_type AS kind,
            attributes, tags, is_exception, exception_type, exception_message, exception_stacktrace,
            service_name, service_version,
            scope_name AS otel_scope_name, scope_version AS otel_scope_version,
            resource_attributes AS otel_resource_attributes,
            events AS otel_events, links AS otel_links,
            span_kind AS otel_span_kind,
            status_code AS otel_status_code, status_message AS otel_status_message,
            run_id, packet_id, milestone, agent, attempt, stage, stage_index,
            received_at AS created_at
        FROM spans
        UNION ALL
        SELECT
            time, time, NULL,
            trace_id, span_id, NULL,
            coalesce(event_name, severity_text, 'log'),
            message, level,
            'log',
            attributes, NULL, false, NULL, NULL, NULL,
            service_name, service_version,
            scope_name, scope_version,
            resource_attributes,
            NULL, NULL,
            NULL,
            NULL, NULL,
            run_id, packet_id, milestone, agent, attempt, stage, stage_index,
            received_at
        FROM logs;
        """)
}
