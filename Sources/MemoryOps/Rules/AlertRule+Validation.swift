import Contracts
import Foundation

extension AlertRule {
    /// A rule as written, before validation: every key optional, durations in seconds.
    public struct Spec: Sendable, Equatable {
        public var name: String?
        public var kind: String?
        public var threshold: Double?
        public var window: Double?
        public var forSeconds: Double?
        public var severity: String?
        public var reasonCode: String?
        public var runbook: String?
        public var webhooks: [String]?
        public var secret: String?
        public var secretEnv: String?
        public var cooldown: Double?
        public var groupBy: String?
        public var services: [String]?
        public var reasonCodes: [String]?
        public var severities: [String]?
        public var sources: [String]?
        public var minSpans: Int?
        public var query: String?

        public init() {}
    }

    /// The reason code a kind's alerts carry when the rule names none.
    static func defaultReasonCode(_ kind: Kind, denyCodes: [String]) -> String? {
        switch kind {
        case .errorRate: "OPS.ERROR_RATE.HIGH"
        case .ingestLag: "OPS.INGEST.LAG"
        case .auditBroken: "OPS.AUDIT.BROKEN"
        case .guardDeny: denyCodes.count == 1 ? denyCodes[0] : nil
        case .sql: nil
        }
    }

    /// Validates `spec` against the reason-code registry. `label` names the rule in errors
    /// until its name is known (`alerts.rules[2]`).
    public init(spec: Spec, label: String, registry: ReasonCodeRegistry,
                environment: [String: String] = ProcessInfo.processInfo.environment) throws(AlertRuleError) {
        guard let name = spec.name else { throw AlertRuleError(rule: label, "name is required") }
        func fail(_ message: String) -> AlertRuleError { AlertRuleError(rule: name, message) }
        guard !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }) else {
            throw AlertRuleError(rule: label, "name \"\(name)\" must be letters, digits, '-', '_' or '.'")
        }
        guard let kindName = spec.kind else { throw fail("kind is required (\(Kind.allCases.map(\.rawValue).joined(separator: ", ")))") }
        guard let kind = Kind(rawValue: kindName) else {
            throw fail("unknown kind \"\(kindName)\"; expected one of \(Kind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        func only(_ present: Bool, _ key: String, for kinds: [Kind]) throws(AlertRuleError) {
            if present && !kinds.contains(kind) {
                throw fail("\(key) does not apply to kind \(kind.rawValue) (only \(kinds.map(\.rawValue).joined(separator: ", ")))")
            }
        }
        try only(spec.window != nil, "window", for: [.errorRate, .guardDeny])
        try only(spec.services != nil, "services", for: [.errorRate])
        try only(spec.minSpans != nil, "min_spans", for: [.errorRate])
        try only(spec.reasonCodes != nil, "reason_codes", for: [.guardDeny])
        try only(spec.severities != nil, "severities", for: [.guardDeny])
        try only(spec.sources != nil, "sources", for: [.ingestLag])
        try only(spec.query != nil, "query", for: [.sql])

        // Thresholds: a rate is a fraction; counts and flags default to "any".
        let threshold: Double
        switch kind {
        case .errorRate:
            guard let t = spec.threshold else { throw fail("threshold is required (a fraction of spans, e.g. 0.05)") }
            guard (0...1).contains(t) else { throw fail("threshold must be between 0 and 1 for error_rate, got \(t)") }
            threshold = t
        case .ingestLag, .sql:
            guard let t = spec.threshold else { throw fail("threshold is required") }
            threshold = t
        case .guardDeny, .auditBroken:
            threshold = spec.threshold ?? 0
        }
        guard threshold.isFinite else { throw fail("threshold must be a finite number") }
        if kind == .ingestLag || kind == .guardDeny, threshold < 0 { throw fail("threshold must be 0 or more") }

        var window: Double?
        if kind == .errorRate || kind == .guardDeny {
            guard let w = spec.window else { throw fail("window is required (e.g. \"5m\")") }
            guard w > 0 else { throw fail("window must be longer than 0") }
            window = w
        }
        let forSeconds = spec.forSeconds ?? 0
        guard forSeconds >= 0 else { throw fail("for must be 0 or more") }
        let cooldown = spec.cooldown ?? 0
        guard cooldown >= 0 else { throw fail("cooldown must be 0 or more") }

        var denyCodes: [String] = []
        for code in spec.reasonCodes ?? [] {
            guard registry[code] != nil else { throw fail("reason_codes: \(code) is not in the reason-code registry") }
            denyCodes.append(code)
        }
        for text in spec.severities ?? [] {
            guard let severity = Severity(rawValue: text) else {
                throw fail("severities: unknown severity \"\(text)\"; expected \(Severity.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            // Guard outcomes carry guard codes; a severity selects those.
            for code in registry.codes where code.code.hasPrefix("GUARD.") && code.severity == severity
                && !denyCodes.contains(code.code) {
                denyCodes.append(code.code)
            }
        }
        if spec.reasonCodes != nil || spec.severities != nil, denyCodes.isEmpty {
            throw fail("reason_codes and severities select no reason code")
        }

        if let code = spec.reasonCode, registry[code] == nil {
            throw fail("reason_code \(code) is not in the reason-code registry")
        }
        let reasonCode = spec.reasonCode ?? Self.defaultReasonCode(kind, denyCodes: denyCodes)

        guard let webhooks = spec.webhooks, !webhooks.isEmpty else {
            throw fail("webhooks is required: one or more http(s) URLs")
        }
        for url in webhooks {
            guard let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme?.lowercased() ?? ""),
                  let host = parsed.host, !host.isEmpty
            else { throw fail("webhooks: \"\(url)\" is not an http(s) URL") }
        }
        guard Set(webhooks).count == webhooks.count else { throw fail("webhooks lists a URL twice") }

        var secret: String?
        switch (spec.secret, spec.secretEnv) {
        case (.some, .some): throw fail("set secret or secret_env, not both")
        case (.some(let s), nil):
            guard !s.isEmpty else { throw fail("secret must not be empty") }
            secret = s
        case (nil, .some(let variable)):
            guard let s = environment[variable], !s.isEmpty else {
                throw fail("secret_env names \(variable), which is not set or empty")
            }
            secret = s
        case (nil, nil): break
        }

        let groupBy: GroupBy
        let allowed: [GroupBy] = switch kind {
        case .errorRate: [.none, .run, .service]
        case .guardDeny: [.none, .run]
        case .ingestLag: [.source]
        case .auditBroken, .sql: [.none]
        }
        if let text = spec.groupBy {
            guard let g = GroupBy(rawValue: text), allowed.contains(g) else {
                throw fail("group_by \"\(text)\" is not one of \(allowed.map(\.rawValue).joined(separator: ", ")) for kind \(kind.rawValue)")
            }
            groupBy = g
        } else {
            groupBy = allowed[0]
        }

        let minSpans = spec.minSpans ?? 1
        guard minSpans >= 1 else { throw fail("min_spans must be 1 or more") }
        if let services = spec.services, services.isEmpty || services.contains(where: \.isEmpty) {
            throw fail("services must list non-empty service names")
        }
        if let sources = spec.sources, sources.isEmpty || sources.contains(where: \.isEmpty) {
            throw fail("sources must list non-empty source names or patterns")
        }
        var query: String?
        if kind == .sql {
            guard let q = spec.query?.trimmingCharacters(in: .whitespacesAndNewlines), !q.isEmpty else {
                throw fail("query is required: one read-only statement returning one number")
            }
            query = q
        }

        let severity: Severity
        if let text = spec.severity {
            guard let s = Severity(rawValue: text) else {
                throw fail("unknown severity \"\(text)\"; expected \(Severity.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            severity = s
        } else if let code = reasonCode.flatMap({ registry[$0] }) {
            severity = code.severity
        } else {
            throw fail("severity is required (no reason code to take it from)")
        }

        var runbook = reasonCode.flatMap { registry[$0]?.runbook?.link }
        if let given = spec.runbook {
            if given.hasPrefix("RB-") {
                guard let link = registry.codes.lazy.compactMap(\.runbook).first(where: { $0.id == given })?.link else {
                    throw fail("runbook \(given) is not in the reason-code registry")
                }
                runbook = link
            } else {
                guard !given.trimmingCharacters(in: .whitespaces).isEmpty else { throw fail("runbook must not be empty") }
                runbook = given
            }
        }

        self.init(name: name, kind: kind, threshold: threshold, window: window, forSeconds: forSeconds, severity: severity,
                  reasonCode: reasonCode, runbook: runbook, webhooks: webhooks, secret: secret, cooldown: cooldown,
                  groupBy: groupBy, services: spec.services ?? [], denyCodes: denyCodes, sources: spec.sources ?? [],
                  minSpans: minSpans, query: query)
    }
}
