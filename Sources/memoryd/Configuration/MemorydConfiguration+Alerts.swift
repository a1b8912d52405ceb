import Contracts
import Foundation
import MemoryOps
import TOMLKit

/// `[alerts]` (with `[[alerts.rules]]`) and `[gate]` in `memoryd.toml`. They are read from the
/// file only (a list of rules has no sensible environment form). Durations are a number with a
/// unit (`500ms`, `30s`, `5m`, `2h`, `1d`) or a number of seconds.
extension MemorydConfiguration {
    /// Top-level sections parsed here rather than through `keys`.
    static let opsSections: Set<String> = ["alerts", "gate"]

    private static let alertsKeys: Set<String> = [
        "interval", "max_attempts", "backoff_initial", "backoff_max", "delivery_timeout", "rules",
    ]
    private static let gateKeys: Set<String> = ["max_ingest_lag", "audit_check_interval"]
    private static let ruleKeys: Set<String> = [
        "name", "kind", "threshold", "window", "for", "severity", "reason_code", "runbook", "webhooks", "secret",
        "secret_env", "cooldown", "group_by", "services", "reason_codes", "severities", "sources", "min_spans", "query",
    ]

    mutating func applyOps(table: TOMLTable, file: String, environment: [String: String]) throws {
        if let value = table["gate"] {
            guard let gate = value.table else { throw ConfigurationError("\(file): gate must be a table ([gate])") }
            try Self.checkKeys(gate, Self.gateKeys, at: "gate", file: file)
            if let lag = gate["max_ingest_lag"] {
                gateMaxIngestLag = try Self.duration(lag, at: "gate.max_ingest_lag", file: file)
            }
            if let interval = gate["audit_check_interval"] {
                gateAuditCheckInterval = try Self.duration(interval, at: "gate.audit_check_interval", file: file)
            }
        }
        guard let value = table["alerts"] else { return }
        guard let section = value.table else { throw ConfigurationError("\(file): alerts must be a table ([alerts])") }
        try Self.checkKeys(section, Self.alertsKeys, at: "alerts", file: file)
        var alerts = AlertsConfiguration()
        let durations: [(String, WritableKeyPath<AlertsConfiguration, Double>)] = [
            ("interval", \.interval), ("backoff_initial", \.backoffInitial), ("backoff_max", \.backoffMax),
            ("delivery_timeout", \.deliveryTimeout),
        ]
        for (key, path) in durations {
            guard let v = section[key] else { continue }
            let seconds = try Self.duration(v, at: "alerts.\(key)", file: file)
            guard seconds > 0 else { throw ConfigurationError("\(file): alerts.\(key) must be longer than 0") }
            alerts[keyPath: path] = seconds
        }
        if let v = section["max_attempts"] {
            guard v.type == .int, let n = v.int, n >= 1 else {
                throw ConfigurationError("\(file): alerts.max_attempts must be an integer of 1 or more")
            }
            alerts.maxAttempts = n
        }
        if alerts.backoffMax < alerts.backoffInitial {
            throw ConfigurationError("\(file): alerts.backoff_max must not be shorter than alerts.backoff_initial")
        }
        if let rules = section["rules"] {
            guard let list = rules.array else {
                throw ConfigurationError("\(file): alerts.rules must be an array of tables ([[alerts.rules]])")
            }
            let registry = try ContractRegistry.pinned().reasonCodes
            for index in 0..<list.count {
                let label = "alerts.rules[\(index)]"
                guard let entry = list[index].table else { throw ConfigurationError("\(file): \(label) must be a table") }
                let spec = try Self.ruleSpec(entry, label: label, file: file)
                let rule: AlertRule
                do {
                    rule = try AlertRule(spec: spec, label: label, registry: registry, environment: environment)
                } catch {
                    throw ConfigurationError("\(file): \(error.description)")
                }
                if alerts.rule(named: rule.name) != nil {
                    throw ConfigurationError("\(file): alert rule \(rule.name): the name is used twice")
                }
                alerts.rules.append(rule)
            }
        }
        self.alerts = alerts
    }

    private static func ruleSpec(_ t: TOMLTable, label: String, file: String) throws -> AlertRule.Spec {
        let name = t["name"]?.string
        let at = { (key: String) in "alert rule \(name ?? label): \(key)" }
        try checkKeys(t, ruleKeys, at: name.map { "alert rule \($0)" } ?? label, file: file)
        func text(_ key: String) throws -> String? {
            guard let v = t[key] else { return nil }
            guard v.type == .string, let s = v.string else { throw ConfigurationError("\(file): \(at(key)) must be a string") }
            return s
        }
        func texts(_ key: String) throws -> [String]? {
            guard let v = t[key] else { return nil }
            guard let array = v.array else { throw ConfigurationError("\(file): \(at(key)) must be an array of strings") }
            return try (0..<array.count).map { i in
                guard array[i].type == .string, let s = array[i].string else {
                    throw ConfigurationError("\(file): \(at(key)) must be an array of strings")
                }
                return s
            }
        }
        func seconds(_ key: String) throws -> Double? {
            try t[key].map { try duration($0, at: at(key), file: file) }
        }
        var spec = AlertRule.Spec()
        if t["name"] != nil { spec.name = try text("name") }
        spec.kind = try text("kind")
        if let v = t["threshold"] {
            switch v.type {
            case .int: spec.threshold = v.int.map(Double.init)
            case .double: spec.threshold = v.double
            default: throw ConfigurationError("\(file): \(at("threshold")) must be a number")
            }
        }
        spec.window = try seconds("window")
        spec.forSeconds = try seconds("for")
        spec.cooldown = try seconds("cooldown")
        spec.severity = try text("severity")
        spec.reasonCode = try text("reason_code")
        spec.runbook = try text("runbook")
        if let v = t["webhooks"], v.type == .string {
            spec.webhooks = [v.string ?? ""]
        } else {
            spec.webhooks = try texts("webhooks")
        }
        spec.secret = try text("secret")
        spec.secretEnv = try text("secret_env")
        spec.groupBy = try text("group_by")
        spec.services = try texts("services")
        spec.reasonCodes = try texts("reason_codes")
        spec.severities = try texts("severities")
        spec.sources = try texts("sources")
        if let v = t["min_spans"] {
            guard v.type == .int, let n = v.int else { throw ConfigurationError("\(file): \(at("min_spans")) must be an integer") }
            spec.minSpans = n
        }
        spec.query = try text("query")
        return spec
    }

    private static func checkKeys(_ table: TOMLTable, _ known: Set<String>, at path: String, file: String) throws {
        for key in table.keys.sorted() where !known.contains(key) {
            throw ConfigurationError("\(file): \(path): unknown key \(key)")
        }
    }

    /// `30s`, `5m`, `500ms`, `2h`, `1d`, or a number of seconds.
    static func duration(_ value: TOMLValueConvertible, at path: String, file: String) throws -> Double {
        switch value.type {
        case .int: if let i = value.int, i >= 0 { return Double(i) }
        case .double: if let d = value.double, d >= 0, d.isFinite { return d }
        case .string:
            let text = value.string?.trimmingCharacters(in: .whitespaces) ?? ""
            if let match = text.wholeMatch(of: /(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)/), let number = Double(match.1) {
                let unit: Double = switch match.2 {
                case "ms": 0.001
                case "s": 1
                case "m": 60
                case "h": 3600
                default: 86_400
                }
                return number * unit
            }
        default: break
        }
        throw ConfigurationError("\(file): \(path) must be a duration such as 30s, 5m or 500ms")
    }
}
