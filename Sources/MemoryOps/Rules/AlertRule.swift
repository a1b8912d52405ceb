import Contracts

/// One alert rule from `[[alerts.rules]]` in `memoryd.toml`, validated. Durations are seconds.
///
/// A rule measures one number per subject (the whole store, or each run, service or source)
/// on every evaluation; the subject's alert fires once the number has stayed above `threshold`
/// for `forSeconds`, and resolves as soon as it is not above any more. After a resolve the
/// subject stays quiet for `cooldown` seconds.
public struct AlertRule: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        /// Errors / spans ending in the window (status error or an exception).
        case errorRate = "error_rate"
        /// Guard outcomes with decision `deny` in the window, optionally of some codes or severities.
        case guardDeny = "guard_deny"
        /// Seconds since each ingest source last committed.
        case ingestLag = "ingest_lag"
        /// 1 while the audit chain fails verification, else 0.
        case auditBroken = "audit_broken"
        /// A read-only query returning one number, run with `memory_query`'s sandbox and bounds.
        case sql
    }

    /// What one alert is about.
    public enum GroupBy: String, Sendable, CaseIterable {
        case none, run, service, source
    }

    /// `name`: unique; letters, digits, `-`, `_`, `.`.
    public var name: String
    public var kind: Kind
    /// `threshold`: the alert fires while the value is above it.
    public var threshold: Double
    /// `window` (error_rate, guard_deny): how far back the data counts.
    public var window: Double?
    /// `for`: how long the value must stay above the threshold before the alert fires.
    public var forSeconds: Double
    public var severity: Severity
    /// `reason_code`: a registry code the alert carries (defaults per kind; see `AlertRule+Validation`).
    public var reasonCode: String?
    /// `runbook`: a registry id (`RB-301`) resolved to its page, or a path/URL; defaults to the reason code's.
    public var runbook: String?
    /// `webhooks`: where each firing and resolve is POSTed.
    public var webhooks: [String]
    /// `secret` or `secret_env`: HMAC-SHA256 key for `X-Memoryd-Signature`.
    public var secret: String?
    /// `cooldown`: quiet time for a subject after its alert resolved.
    public var cooldown: Double
    /// `group_by`: one alert per run or service (error_rate), per run (guard_deny); ingest_lag is per source.
    public var groupBy: GroupBy
    /// `services` (error_rate): only spans of these services.
    public var services: [String]
    /// `reason_codes` and `severities` (guard_deny; a severity selects the GUARD.* codes of it), resolved to the codes that count.
    public var denyCodes: [String]
    /// `sources` (ingest_lag): glob patterns of source names (`watcher://*`); empty: all.
    public var sources: [String]
    /// `min_spans` (error_rate): fewer spans in the window give no value.
    public var minSpans: Int
    /// `query` (sql).
    public var query: String?

    public init(name: String, kind: Kind, threshold: Double = 0, window: Double? = nil, forSeconds: Double = 0,
                severity: Severity, reasonCode: String? = nil, runbook: String? = nil, webhooks: [String],
                secret: String? = nil, cooldown: Double = 0, groupBy: GroupBy = .none, services: [String] = [],
                denyCodes: [String] = [], sources: [String] = [], minSpans: Int = 1, query: String? = nil) {
        self.name = name
        self.kind = kind
        self.threshold = threshold
        self.window = window
        self.forSeconds = forSeconds
        self.severity = severity
        self.reasonCode = reasonCode
        self.runbook = runbook
        self.webhooks = webhooks
        self.secret = secret
        self.cooldown = cooldown
        self.groupBy = groupBy
        self.services = services
        self.denyCodes = denyCodes
        self.sources = sources
        self.minSpans = minSpans
        self.query = query
    }
}

/// A rule that cannot run; the message names the rule and the key.
public struct AlertRuleError: Error, Sendable, CustomStringConvertible, Equatable {
    public let rule: String
    public let message: String

    public init(rule: String, _ message: String) {
        self.rule = rule
        self.message = message
    }

    public var description: String { "alert rule \(rule): \(message)" }
}
