import DuckDB

/// One alert from firing to resolved: a row of `alerts`. Times are microseconds since the epoch.
public struct AlertRecord: Sendable, Equatable {
    public var alertID: String
    public var rule: String
    public var kind: String
    /// What the rule measured this alert for: a run, service or source, or `*` for the whole store.
    public var subject: String
    public var severity: String
    /// `firing` or `resolved`.
    public var state: String
    public var firedAt: Int64
    public var resolvedAt: Int64?
    public var value: Double?
    public var threshold: Double?
    public var reasonCode: String?
    public var runbook: String?
    /// Set when the alert is about one run; nil alerts cover every run.
    public var runID: String?
    public var summary: String
    public var evidenceQuery: String?

    public init(alertID: String, rule: String, kind: String, subject: String, severity: String, state: String,
                firedAt: Int64, resolvedAt: Int64? = nil, value: Double?, threshold: Double?, reasonCode: String?,
                runbook: String?, runID: String?, summary: String, evidenceQuery: String?) {
        self.alertID = alertID
        self.rule = rule
        self.kind = kind
        self.subject = subject
        self.severity = severity
        self.state = state
        self.firedAt = firedAt
        self.resolvedAt = resolvedAt
        self.value = value
        self.threshold = threshold
        self.reasonCode = reasonCode
        self.runbook = runbook
        self.runID = runID
        self.summary = summary
        self.evidenceQuery = evidenceQuery
    }
}

/// The evaluator's memory of one rule and subject, kept in `alert_state` across restarts.
public struct AlertSubjectState: Sendable, Equatable {
    public var rule: String
    public var subject: String
    /// When the condition started to hold (the `for` clock); nil while it does not.
    public var pendingSince: Int64?
    /// The firing alert; nil when none is.
    public var alertID: String?
    /// No new alert for this subject before this time (the rule's cooldown after a resolve).
    public var quietUntil: Int64?
    public var lastValue: Double?

    public init(rule: String, subject: String, pendingSince: Int64? = nil, alertID: String? = nil,
                quietUntil: Int64? = nil, lastValue: Double? = nil) {
        self.rule = rule
        self.subject = subject
        self.pendingSince = pendingSince
        self.alertID = alertID
        self.quietUntil = quietUntil
        self.lastValue = lastValue
    }
}

/// The latest evaluation of one configured rule: a row of `alert_rules`.
public struct AlertRuleStatus: Sendable, Equatable {
    public var rule: String
    public var kind: String
    public var severity: String
    public var firing: Int
    public var pending: Int
    public var lastValue: Double?
    public var evaluatedAt: Int64
    /// Why the last evaluation failed (e.g. an `sql` rule's query error); nil when it ran.
    public var error: String?

    public init(rule: String, kind: String, severity: String, firing: Int, pending: Int, lastValue: Double?,
                evaluatedAt: Int64, error: String?) {
        self.rule = rule
        self.kind = kind
        self.severity = severity
        self.firing = firing
        self.pending = pending
        self.lastValue = lastValue
        self.evaluatedAt = evaluatedAt
        self.error = error
    }
}

/// One webhook delivery waiting in `alert_outbox`.
public struct AlertDelivery: Sendable, Equatable {
    public var deliveryID: Int64
    public var alertID: String
    public var rule: String
    /// `firing` or `resolved`: which notification of the alert this is.
    public var state: String
    public var url: String
    /// The exact JSON body, signed as stored.
    public var body: String
    public var attempts: Int

    public init(deliveryID: Int64, alertID: String, rule: String, state: String, url: String, body: String, attempts: Int) {
        self.deliveryID = deliveryID
        self.alertID = alertID
        self.rule = rule
        self.state = state
        self.url = url
        self.body = body
        self.attempts = attempts
    }
}

/// What one evaluation pass changes, written in one transaction so an alert's transition and
/// its webhook deliveries are stored together or not at all.
public struct AlertChanges: Sendable {
    public var fired: [AlertRecord] = []
    /// Alerts that stopped: id, time, last value.
    public var resolved: [(alertID: String, at: Int64, value: Double?)] = []
    /// Every subject state the evaluator keeps (replaces the table).
    public var states: [AlertSubjectState] = []
    /// Replaces `alert_rules` when set.
    public var rules: [AlertRuleStatus]?
    /// New deliveries: alert, rule, state, url, body.
    public var deliveries: [(alertID: String, rule: String, state: String, url: String, body: String)] = []

    public init() {}
}

/// Counts of `alert_outbox` by status.
public struct OutboxCounts: Sendable, Equatable {
    public var pending = 0
    public var delivered = 0
    public var dead = 0

    public init() {}
}

/// Reads and writes the ops tables (migration 9): alert history, evaluator state, rule status
/// and the webhook outbox. Callers serialize writes on one connection.
public enum AlertLedger {
    static let alertColumns = """
        alert_id, rule, kind, subject, severity, state, fired_at, resolved_at, value, threshold, reason_code, runbook,
        run_id, summary, evidence_query
        """

    public static func states(on connection: Connection) throws -> [AlertSubjectState] {
        try connection.query("""
            SELECT rule, subject, pending_since, alert_id, quiet_until, last_value FROM alert_state ORDER BY rule, subject
            """).rows.map {
            AlertSubjectState(rule: $0[0].string ?? "", subject: $0[1].string ?? "", pendingSince: $0[2].int64,
                              alertID: $0[3].isNull ? nil : $0[3].string, quietUntil: $0[4].int64, lastValue: $0[5].double)
        }
    }

    /// Alerts that are firing now, oldest first (then by rule and subject).
    public static func firing(on connection: Connection) throws -> [AlertRecord] {
        try alerts(where: "state = 'firing'", [], on: connection)
    }

    /// Firing alerts that cover `runID`: those about the run and those about no run in particular.
    public static func firing(covering runID: String, on connection: Connection) throws -> [AlertRecord] {
        try alerts(where: "state = 'firing' AND (run_id = $1 OR run_id IS NULL)", [.text(runID)], on: connection)
    }

    public static func alert(id: String, on connection: Connection) throws -> AlertRecord? {
        try alerts(where: "alert_id = $1", [.text(id)], on: connection).first
    }

    /// The newest alerts, newest first.
    public static func recent(limit: Int, on connection: Connection) throws -> [AlertRecord] {
        try alerts(where: "true", [], order: "fired_at DESC, alert_id DESC", limit: limit, on: connection)
    }

    private static func alerts(where filter: String, _ parameters: [Value], order: String = "fired_at, rule, subject",
                               limit: Int? = nil, on connection: Connection) throws -> [AlertRecord] {
        let statement = try connection.prepare("""
            SELECT \(alertColumns) FROM alerts WHERE \(filter) ORDER BY \(order)\(limit.map { " LIMIT \($0)" } ?? "")
            """)
        try statement.bind(parameters)
        return try statement.query().rows.map { r in
            AlertRecord(alertID: r[0].string ?? "", rule: r[1].string ?? "", kind: r[2].string ?? "", subject: r[3].string ?? "",
                        severity: r[4].string ?? "", state: r[5].string ?? "", firedAt: r[6].int64 ?? 0,
                        resolvedAt: r[7].int64, value: r[8].double, threshold: r[9].double, reasonCode: r[10].optionalString,
                        runbook: r[11].optionalString, runID: r[12].optionalString, summary: r[13].string ?? "",
                        evidenceQuery: r[14].optionalString)
        }
    }

    /// Writes one evaluation pass in one transaction.
    public static func apply(_ changes: AlertChanges, now: Int64, on connection: Connection) throws {
        try connection.transaction {
            let insert = try connection.prepare("INSERT INTO alerts (\(alertColumns)) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)")
            for a in changes.fired {
                try insert.bind([.text(a.alertID), .text(a.rule), .text(a.kind), .text(a.subject), .text(a.severity), .text(a.state),
                                 .timestamp(a.firedAt), a.resolvedAt.map(Value.timestamp) ?? .null, a.value.map(Value.double) ?? .null,
                                 a.threshold.map(Value.double) ?? .null, .optional(a.reasonCode), .optional(a.runbook),
                                 .optional(a.runID), .text(a.summary), .optional(a.evidenceQuery)])
                try insert.execute()
            }
            let resolve = try connection.prepare(
                "UPDATE alerts SET state = 'resolved', resolved_at = $2, value = coalesce($3, value) WHERE alert_id = $1 AND state = 'firing'")
            for r in changes.resolved {
                try resolve.bind([.text(r.alertID), .timestamp(r.at), r.value.map(Value.double) ?? .null])
                try resolve.execute()
            }
            try connection.execute("DELETE FROM alert_state")
            let state = try connection.prepare("INSERT INTO alert_state VALUES ($1, $2, $3, $4, $5, $6, $7)")
            for s in changes.states {
                try state.bind([.text(s.rule), .text(s.subject), s.pendingSince.map(Value.timestamp) ?? .null, .optional(s.alertID),
                                s.quietUntil.map(Value.timestamp) ?? .null, s.lastValue.map(Value.double) ?? .null, .timestamp(now)])
                try state.execute()
            }
            if let rules = changes.rules {
                try connection.execute("DELETE FROM alert_rules")
                let rule = try connection.prepare("INSERT INTO alert_rules VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
                for r in rules {
                    try rule.bind([.text(r.rule), .text(r.kind), .text(r.severity), .int(Int64(r.firing)), .int(Int64(r.pending)),
                                   r.lastValue.map(Value.double) ?? .null, .timestamp(r.evaluatedAt), .optional(r.error)])
                    try rule.execute()
                }
            }
            let enqueue = try connection.prepare("""
                INSERT INTO alert_outbox VALUES (nextval('alert_delivery_ids'), $1, $2, $3, $4, $5, 'pending', 0, $6, NULL, $6, NULL)
                """)
            for d in changes.deliveries {
                try enqueue.bind([.text(d.alertID), .text(d.rule), .text(d.state), .text(d.url), .text(d.body), .timestamp(now)])
                try enqueue.execute()
            }
        }
    }

    /// The deliveries to attempt now: per rule and URL, the oldest one still pending, when its
    /// next attempt is due. Later deliveries of a lane wait for it, which keeps a rule's
    /// notifications in order at each receiver.
    public static func dueDeliveries(now: Int64, on connection: Connection) throws -> [AlertDelivery] {
        let statement = try connection.prepare("""
            WITH heads AS (
                SELECT *, row_number() OVER (PARTITION BY rule, url ORDER BY delivery_id) AS n
                FROM alert_outbox WHERE status = 'pending'
            )
            SELECT delivery_id, alert_id, rule, state, url, body, attempts FROM heads
            WHERE n = 1 AND next_attempt_at <= $1 ORDER BY delivery_id
            """)
        try statement.bind([.timestamp(now)])
        return try statement.query().rows.map {
            AlertDelivery(deliveryID: $0[0].int64 ?? 0, alertID: $0[1].string ?? "", rule: $0[2].string ?? "",
                          state: $0[3].string ?? "", url: $0[4].string ?? "", body: $0[5].string ?? "",
                          attempts: Int($0[6].int64 ?? 0))
        }
    }

    /// When the next pending delivery is due; nil when none is pending.
    public static func nextDue(on connection: Connection) throws -> Int64? {
        try connection.query("SELECT min(next_attempt_at) FROM alert_outbox WHERE status = 'pending'").rows[0][0].int64
    }

    public static func markDelivered(_ id: Int64, attempts: Int, at time: Int64, on connection: Connection) throws {
        try update("status = 'delivered', attempts = $2, finished_at = $3, last_error = NULL", id, [.int(Int64(attempts)), .timestamp(time)], on: connection)
    }

    public static func markRetry(_ id: Int64, attempts: Int, next: Int64, error: String, on connection: Connection) throws {
        try update("attempts = $2, next_attempt_at = $3, last_error = $4", id,
                   [.int(Int64(attempts)), .timestamp(next), .text(error)], on: connection)
    }

    /// Gives up on a delivery (dead letter); the lane's next delivery goes ahead.
    public static func markDead(_ id: Int64, attempts: Int, at time: Int64, error: String, on connection: Connection) throws {
        try update("status = 'dead', attempts = $2, finished_at = $3, last_error = $4", id,
                   [.int(Int64(attempts)), .timestamp(time), .text(error)], on: connection)
    }

    private static func update(_ assignments: String, _ id: Int64, _ parameters: [Value], on connection: Connection) throws {
        let statement = try connection.prepare("UPDATE alert_outbox SET \(assignments) WHERE delivery_id = $1")
        try statement.bind([.int(id)] + parameters)
        try statement.execute()
    }

    public static func outboxCounts(on connection: Connection) throws -> OutboxCounts {
        var counts = OutboxCounts()
        for row in try connection.query("SELECT status, count(*) FROM alert_outbox GROUP BY status").rows {
            let n = Int(row[1].int64 ?? 0)
            switch row[0].string {
            case "pending": counts.pending = n
            case "delivered": counts.delivered = n
            case "dead": counts.dead = n
            default: break
            }
        }
        return counts
    }

    public static func ruleStatuses(on connection: Connection) throws -> [AlertRuleStatus] {
        try connection.query("""
            SELECT rule, kind, severity, firing, pending, last_value, evaluated_at, error FROM alert_rules ORDER BY rule
            """).rows.map {
            AlertRuleStatus(rule: $0[0].string ?? "", kind: $0[1].string ?? "", severity: $0[2].string ?? "",
                            firing: Int($0[3].int64 ?? 0), pending: Int($0[4].int64 ?? 0), lastValue: $0[5].double,
                            evaluatedAt: $0[6].int64 ?? 0, error: $0[7].optionalString)
        }
    }
}

extension Value {
    static func optional(_ text: String?) -> Value { text.map(Value.text) ?? .null }

    var optionalString: String? { isNull ? nil : string }

    var double: Double? {
        switch self {
        case .double(let v): v
        case .int(let v): Double(v)
        case .uint(let v): Double(v)
        default: nil
        }
    }
}
