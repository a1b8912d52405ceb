extension Migrations {
    /// Alert rules and their deliveries (issue 7). `alerts` is the history: one row per alert,
    /// from firing to resolved. `alert_state` is each rule's state per subject (a run, service
    /// or source) that the evaluator carries across restarts; `alert_rules` the latest
    /// evaluation of each configured rule. `alert_outbox` holds every webhook delivery, written
    /// in the transaction that fires or resolves the alert, until it is delivered or dead.
    static let opsTables = Migration(version: 9, name: "alerts and webhook outbox", sql: """
        CREATE TABLE alerts (
            alert_id VARCHAR NOT NULL,
            rule VARCHAR NOT NULL,
            kind VARCHAR NOT NULL,
            subject VARCHAR NOT NULL,
            severity VARCHAR NOT NULL,
            state VARCHAR NOT NULL,
            fired_at TIMESTAMPTZ NOT NULL,
            resolved_at TIMESTAMPTZ,
            value DOUBLE,
            threshold DOUBLE,
            reason_code VARCHAR,
            runbook VARCHAR,
            run_id VARCHAR,
            summary VARCHAR NOT NULL,
            evidence_query VARCHAR
        );
        CREATE TABLE alert_state (
            rule VARCHAR NOT NULL,
            subject VARCHAR NOT NULL,
            pending_since TIMESTAMPTZ,
            alert_id VARCHAR,
            quiet_until TIMESTAMPTZ,
            last_value DOUBLE,
            updated_at TIMESTAMPTZ NOT NULL
        );
        CREATE TABLE alert_rules (
            rule VARCHAR NOT NULL,
            kind VARCHAR NOT NULL,
            severity VARCHAR NOT NULL,
            firing BIGINT NOT NULL,
            pending BIGINT NOT NULL,
            last_value DOUBLE,
            evaluated_at TIMESTAMPTZ NOT NULL,
            error VARCHAR
        );
        CREATE SEQUENCE alert_delivery_ids;
        CREATE TABLE alert_outbox (
            delivery_id BIGINT NOT NULL,
            alert_id VARCHAR NOT NULL,
            rule VARCHAR NOT NULL,
            state VARCHAR NOT NULL,
            url VARCHAR NOT NULL,
            body VARCHAR NOT NULL,
            status VARCHAR NOT NULL,
            attempts BIGINT NOT NULL,
            next_attempt_at TIMESTAMPTZ NOT NULL,
            last_error VARCHAR,
            created_at TIMESTAMPTZ NOT NULL,
            finished_at TIMESTAMPTZ
        );
        """)
}
