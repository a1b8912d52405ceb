import Contracts
import Crypto
import DuckDB
import Foundation
import Logging
import MemoryService
import MemoryStore
import ServiceLifecycle

/// Evaluates the alert rules every `interval` inside `serve`. Each pass measures every rule,
/// moves each subject's alert through pending → firing → resolved (each transition once), and
/// writes the transitions, the evaluator's state and the webhook deliveries in one transaction,
/// so a restart resumes where the last pass ended: a firing alert is neither lost nor fired
/// again, and its deliveries are already in the outbox.
public struct AlertEngine: Service {
    /// What one pass did.
    public struct Pass: Sendable, Equatable {
        public var fired: [String] = []
        public var resolved: [String] = []
        /// Rules whose measurement failed, with the reason.
        public var errors: [String: String] = [:]
    }

    let configuration: AlertsConfiguration
    let service: MemoryService
    let lane: ConnectionPool
    let clock: @Sendable () -> Date
    let logger: Logger
    private let registry: ReasonCodeRegistry

    /// `lane` is the connection the ops tables are written on (shared with the outbox sender);
    /// `service` runs `sql` rules with `memory_query`'s sandbox and bounds (unaudited), and answers
    /// `audit_broken` rules with the gate's audit check; `clock` is the evaluation time.
    public init(configuration: AlertsConfiguration, service: MemoryService, lane: ConnectionPool,
                clock: @escaping @Sendable () -> Date = { Date() }, logger: Logger) throws {
        self.configuration = configuration
        self.service = service
        self.lane = lane
        self.clock = clock
        self.logger = logger
        registry = try ContractRegistry.pinned().reasonCodes
    }

    public func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                let pass = try await evaluate()
                for id in pass.fired { logger.notice("alert firing", metadata: ["alert_id": "\(id)"]) }
                for id in pass.resolved { logger.notice("alert resolved", metadata: ["alert_id": "\(id)"]) }
                for (rule, error) in pass.errors.sorted(by: { $0.key < $1.key }) {
                    logger.warning("alert rule not evaluated", metadata: ["rule": "\(rule)", "error": "\(error)"])
                }
            } catch {
                // The pass wrote nothing (one transaction); the next one starts from the same state.
                logger.warning("alert evaluation failed", metadata: ["error": "\(error)"])
            }
            // Cut short by a graceful shutdown, so SIGTERM does not wait out the interval.
            let interval = Duration.milliseconds(Int64(configuration.interval * 1000))
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }

    /// One evaluation of every rule at the clock's time.
    @discardableResult
    public func evaluate() async throws -> Pass {
        let now = Int64((clock().timeIntervalSince1970 * 1e6).rounded())
        let states = try await lane.run { try AlertLedger.states(on: $0) }
        var pass = Pass()
        var changes = AlertChanges()
        var statuses: [AlertRuleStatus] = []

        // Rules taken out of the configuration: their alerts end here, without a delivery
        // (their webhooks are no longer known).
        for state in states where configuration.rule(named: state.rule) == nil {
            if let id = state.alertID {
                changes.resolved.append((id, now, nil))
                pass.resolved.append(id)
            }
        }

        for rule in configuration.rules {
            let existing = states.filter { $0.rule == rule.name }
            let observations: [Observation]
            do {
                observations = try await observe(rule, now: now)
            } catch {
                // Not measured is not "fine": keep the rule's state as it was.
                pass.errors[rule.name] = "\(error)"
                changes.states += existing
                statuses.append(AlertRuleStatus(
                    rule: rule.name, kind: rule.kind.rawValue, severity: rule.severity.rawValue,
                    firing: existing.filter { $0.alertID != nil }.count, pending: existing.filter { $0.pendingSince != nil }.count,
                    lastValue: nil, evaluatedAt: now, error: "\(error)"))
                continue
            }
            var subjects = observations.map(\.subject)
            subjects += existing.map(\.subject).filter { !subjects.contains($0) }
            var kept: [AlertSubjectState] = []
            for subject in subjects {
                let observation = observations.first { $0.subject == subject }
                var state = existing.first { $0.subject == subject } ?? AlertSubjectState(rule: rule.name, subject: subject)
                state.lastValue = observation?.value
                if let observation, observation.value > rule.threshold {
                    if state.alertID == nil {
                        if let quiet = state.quietUntil, quiet > now {
                            state.pendingSince = nil
                        } else {
                            let since = state.pendingSince ?? now
                            state.pendingSince = since
                            if Double(now - since) >= rule.forSeconds * 1e6 {
                                let alert = fire(rule, observation, at: now)
                                changes.fired.append(alert)
                                enqueue(alert, rule: rule, into: &changes)
                                pass.fired.append(alert.alertID)
                                state.alertID = alert.alertID
                                state.pendingSince = nil
                                state.quietUntil = nil
                            }
                        }
                    }
                } else {
                    state.pendingSince = nil
                    if let id = state.alertID {
                        if var alert = try await lane.run({ try AlertLedger.alert(id: id, on: $0) }) {
                            alert.state = "resolved"
                            alert.resolvedAt = now
                            if let value = observation?.value { alert.value = value }
                            alert.summary = "resolved: \(observation?.detail ?? "no longer measured"); was: \(alert.summary)"
                            enqueue(alert, rule: rule, into: &changes)
                        }
                        changes.resolved.append((id, now, observation?.value))
                        pass.resolved.append(id)
                        state.alertID = nil
                        state.quietUntil = rule.cooldown > 0 ? now + Int64(rule.cooldown * 1e6) : nil
                    }
                }
                if state.alertID != nil || state.pendingSince != nil || (state.quietUntil ?? .min) > now {
                    kept.append(state)
                }
            }
            changes.states += kept
            statuses.append(AlertRuleStatus(
                rule: rule.name, kind: rule.kind.rawValue, severity: rule.severity.rawValue,
                firing: kept.filter { $0.alertID != nil }.count, pending: kept.filter { $0.pendingSince != nil }.count,
                lastValue: observations.map(\.value).max(), evaluatedAt: now, error: nil))
        }
        changes.rules = statuses
        let ready = changes
        try await lane.run { try AlertLedger.apply(ready, now: now, on: $0) }
        return pass
    }

    /// Prepares (never runs) each `sql` rule's query as `memory_query` would: one read-only
    /// statement, no parameters. The first that fails names its rule.
    func validateQueries() async throws(AlertRuleError) {
        for rule in configuration.rules where rule.kind == .sql {
            let query = rule.query ?? ""
            do {
                try await lane.run { connection in
                    try Store.withReadOnlyStatement(query, parameters: [], on: connection) { _ in }
                }
            } catch {
                throw AlertRuleError(rule: rule.name, "query cannot run: \(error)")
            }
        }
    }

    /// The rule's numbers now, one per subject.
    func observe(_ rule: AlertRule, now: Int64) async throws -> [Observation] {
        switch rule.kind {
        case .errorRate, .guardDeny, .ingestLag:
            return try await lane.run { try AlertMeasurement.measure(rule, now: now, on: $0) }
        case .auditBroken:
            guard let auditCheck = service.auditCheck else { throw AlertRuleError(rule: rule.name, "no audit chain verifier is available") }
            let status = try await auditCheck()
            return [Observation(
                subject: AlertMeasurement.wholeStore, value: status.intact ? 0 : 1, runID: nil,
                detail: status.intact ? "audit chain verifies" : "audit chain broken at \(status.ref ?? "audit_log"): \(status.detail)",
                evidenceQuery: "SELECT seq, time, actor, surface, operation, target, prev_hash, hash FROM audit_log ORDER BY seq")]
        case .sql:
            return try await sqlValue(rule)
        }
    }

    /// Runs an `sql` rule's query with `memory_query`'s bounds and sandbox but unaudited (the
    /// daemon's own evaluation is not a memory API call); it must answer one row of one number
    /// (NULL: nothing to measure).
    private func sqlValue(_ rule: AlertRule) async throws -> [Observation] {
        let query = rule.query ?? ""
        let result: JSONValue
        do {
            result = try await service.internalQuery(query, maxRows: 2)
        } catch {
            throw AlertRuleError(rule: rule.name, "query failed: \(error.message)")
        }
        guard let rows = result["rows"]?.arrayValue, rows.count == 1, let row = rows[0].arrayValue, row.count == 1 else {
            throw AlertRuleError(rule: rule.name, "query must return one row of one column, got \(result["row_count"]?.int64Value ?? -1) rows")
        }
        if row[0].isNull { return [] }
        guard let value = row[0].doubleValue ?? row[0].stringValue.flatMap(Double.init) else {
            throw AlertRuleError(rule: rule.name, "query must return a number, got \(row[0].jsonText)")
        }
        return [Observation(subject: AlertMeasurement.wholeStore, value: value, runID: nil,
                            detail: "query returned \(Self.number(value))", evidenceQuery: query)]
    }

    private func fire(_ rule: AlertRule, _ observation: Observation, at now: Int64) -> AlertRecord {
        let digest = SHA256.hash(data: Data("\(rule.name)\n\(observation.subject)\n\(now)".utf8))
        let id = "alert-" + digest.prefix(12).map { String(format: "%02x", $0) }.joined()
        let code = rule.reasonCode ?? observation.reasonCode
        return AlertRecord(
            alertID: id, rule: rule.name, kind: rule.kind.rawValue, subject: observation.subject,
            severity: rule.severity.rawValue, state: "firing", firedAt: now, value: observation.value,
            threshold: rule.threshold, reasonCode: code, runbook: rule.runbook ?? code.flatMap { registry[$0]?.runbook?.link },
            runID: observation.runID,
            summary: "\(rule.name): \(observation.detail); value \(Self.number(observation.value)) above threshold \(Self.number(rule.threshold))",
            evidenceQuery: observation.evidenceQuery)
    }

    private func enqueue(_ alert: AlertRecord, rule: AlertRule, into changes: inout AlertChanges) {
        let body = AlertPayload.json(alert).jsonText
        for url in rule.webhooks {
            changes.deliveries.append((alert.alertID, rule.name, alert.state, url, body))
        }
    }

    /// A value as people read it: integers without a fraction, others to four significant digits.
    public static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(format: "%.4g", value)
    }
}
