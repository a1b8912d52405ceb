import Contracts
import DuckDB
import MemoryStore

/// The webhook body of an alert per `opctrl/alert_webhook.v1`.
public enum AlertPayload {
    public static func json(_ alert: AlertRecord) -> JSONValue {
        func time(_ micros: Int64) -> JSONValue { .string(TimestampFormat.iso8601(micros: micros)) }
        func text(_ s: String?) -> JSONValue { s.map(JSONValue.string) ?? .null }
        func number(_ d: Double?) -> JSONValue { d.flatMap { $0.isFinite ? JSONValue.number($0) : nil } ?? .null }
        var o = JSONObject()
        o["alert_id"] = .string(alert.alertID)
        o["rule"] = .string(alert.rule)
        o["severity"] = .string(alert.severity)
        o["state"] = .string(alert.state)
        o["fired_at"] = time(alert.firedAt)
        o["resolved_at"] = alert.resolvedAt.map(time) ?? .null
        o["summary"] = .string(alert.summary)
        o["reason_code"] = text(alert.reasonCode)
        o["runbook"] = text(alert.runbook)
        o["run_id"] = text(alert.runID)
        o["value"] = number(alert.value)
        o["threshold"] = number(alert.threshold)
        o["evidence_query"] = text(alert.evidenceQuery)
        return .object(o)
    }
}
