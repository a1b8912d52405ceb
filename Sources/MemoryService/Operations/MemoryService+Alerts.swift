import Contracts
import DuckDB
import MemoryStore

extension MemoryService {
    /// The alert section of `memory_health`: each configured rule's latest evaluation, the
    /// alerts firing now, and the webhook outbox by status.
    func alertsHealth() async throws -> JSONValue {
        let (rules, firing, outbox) = try await readers.run { connection in
            (try AlertLedger.ruleStatuses(on: connection), try AlertLedger.firing(on: connection),
             try AlertLedger.outboxCounts(on: connection))
        }
        return Self.alertsJSON(rules: rules, firing: firing, outbox: outbox)
    }

    /// The alert section as `memory_health` and `memoryd alerts list --json` show it.
    public static func alertsJSON(rules: [AlertRuleStatus], firing: [AlertRecord], outbox: OutboxCounts) -> JSONValue {
        func time(_ micros: Int64) -> JSONValue { .string(TimestampFormat.iso8601(micros: micros)) }
        return [
            "firing": .integer(Int64(firing.count)),
            "rules": .array(rules.map { rule in
                var o = JSONObject()
                o["rule"] = .string(rule.rule)
                o["kind"] = .string(rule.kind)
                o["severity"] = .string(rule.severity)
                o["state"] = .string(rule.firing > 0 ? "firing" : rule.pending > 0 ? "pending" : "ok")
                o["firing"] = .integer(Int64(rule.firing))
                o["value"] = rule.lastValue.map(JSONValue.number) ?? .null
                o["evaluated_at"] = time(rule.evaluatedAt)
                if let error = rule.error { o["error"] = .string(error) }
                return .object(o)
            }),
            "alerts": .array(firing.map { alert in
                ["alert_id": .string(alert.alertID), "rule": .string(alert.rule), "severity": .string(alert.severity),
                 "subject": .string(alert.subject), "fired_at": time(alert.firedAt),
                 "run_id": alert.runID.map(JSONValue.string) ?? .null, "summary": .string(alert.summary),
                 "runbook": alert.runbook.map(JSONValue.string) ?? .null]
            }),
            "outbox": ["pending": .integer(Int64(outbox.pending)), "delivered": .integer(Int64(outbox.delivered)),
                       "dead": .integer(Int64(outbox.dead))],
        ]
    }
}
