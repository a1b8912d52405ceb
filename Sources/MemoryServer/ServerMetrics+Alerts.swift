import MemoryStore
import Prometheus

extension ServerMetrics {
    /// Alert state for `/metrics`, read from the ops tables when scraped: per rule the alerts
    /// firing and pending and the last value measured, and the webhook outbox by status.
    func recordAlerts(store: Store) {
        guard let connection = try? store.connect(),
              let rules = try? AlertLedger.ruleStatuses(on: connection),
              let outbox = try? AlertLedger.outboxCounts(on: connection)
        else { return }
        for rule in rules {
            let labels = [("rule", rule.rule), ("kind", rule.kind), ("severity", rule.severity)]
            registry.makeGauge(name: "memoryd_alerts_firing", labels: labels,
                               help: "Alerts of the rule firing now (one per subject).").set(Double(rule.firing))
            registry.makeGauge(name: "memoryd_alerts_pending", labels: labels,
                               help: "Subjects over the rule's threshold, waiting out its `for`.").set(Double(rule.pending))
            if let value = rule.lastValue {
                registry.makeGauge(name: "memoryd_alert_value", labels: [("rule", rule.rule)],
                                   help: "The highest value the rule measured on its last evaluation.").set(value)
            }
        }
        for (status, count) in [("pending", outbox.pending), ("delivered", outbox.delivered), ("dead", outbox.dead)] {
            registry.makeGauge(name: "memoryd_alert_deliveries", labels: [("status", status)],
                               help: "Alert webhook deliveries by status.").set(Double(count))
        }
    }
}
