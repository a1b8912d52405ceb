import Foundation
@testable import memoryd
import MemoryOps
import Testing

/// `[alerts]`, `[[alerts.rules]]` and `[gate]` in memoryd.toml: a full valid file, then every
/// way a rule can be wrong, each a configuration error (exit 2) naming the rule and the key.
@Suite struct AlertConfigurationTests {
    private func load(_ text: String, environment: [String: String] = [:]) throws -> MemorydConfiguration {
        var configuration = MemorydConfiguration()
        try configuration.apply(toml: text, file: "memoryd.toml", environment: environment)
        return configuration
    }

    /// The message of the configuration error `text` gives (nil when it loads).
    private func error(_ text: String, environment: [String: String] = [:]) -> String? {
        do {
            _ = try load(text, environment: environment)
            return nil
        } catch {
            #expect(error is ConfigurationError, "\(error) is not a configuration error")
            return "\(error)"
        }
    }

    static let hook = "webhooks = [\"http://127.0.0.1:9000/hook\"]"

    @Test func fullFileParses() throws {
        let c = try load("""
            [gate]
            max_ingest_lag = "2m"
            audit_check_interval = "1s"

            [alerts]
            interval = "5s"
            max_attempts = 4
            backoff_initial = "500ms"
            backoff_max = "1m"
            delivery_timeout = 3

            [[alerts.rules]]
            name = "errors"
            kind = "error_rate"
            threshold = 0.05
            window = "5m"
            for = "1m"
            group_by = "service"
            services = ["planner"]
            min_spans = 20
            webhooks = ["https://hooks.example/a", "http://127.0.0.1:9000/b"]
            secret = "abc"
            cooldown = "10m"

            [[alerts.rules]]
            name = "pii"
            kind = "guard_deny"
            window = "1h"
            reason_codes = ["GUARD.PII.LEAK"]
            group_by = "run"
            webhooks = "http://127.0.0.1:9000/hook"

            [[alerts.rules]]
            name = "high-denies"
            kind = "guard_deny"
            window = "1h"
            severities = ["high"]
            severity = "medium"
            runbook = "RB-211"
            \(Self.hook)

            [[alerts.rules]]
            name = "lag"
            kind = "ingest_lag"
            threshold = 120
            sources = ["watcher://*"]
            secret_env = "HOOK_SECRET"
            \(Self.hook)

            [[alerts.rules]]
            name = "audit"
            kind = "audit_broken"
            \(Self.hook)

            [[alerts.rules]]
            name = "facts"
            kind = "sql"
            query = "SELECT count(*) FROM memories"
            threshold = 1000
            severity = "low"
            runbook = "https://wiki.example/facts"
            \(Self.hook)
            """, environment: ["HOOK_SECRET": "from-env"])
        #expect(c.gateMaxIngestLag == 120 && c.memory.gateMaxIngestLag == .seconds(120))
        #expect(c.memory.auditCheckInterval == .seconds(1))
        let a = c.alerts
        #expect(a.interval == 5 && a.maxAttempts == 4 && a.backoffInitial == 0.5 && a.backoffMax == 60 && a.deliveryTimeout == 3)
        #expect(a.rules.map(\.name) == ["errors", "pii", "high-denies", "lag", "audit", "facts"])
        let errors = try #require(a.rule(named: "errors"))
        #expect(errors.kind == .errorRate && errors.threshold == 0.05 && errors.window == 300 && errors.forSeconds == 60)
        #expect(errors.groupBy == .service && errors.services == ["planner"] && errors.minSpans == 20 && errors.cooldown == 600)
        #expect(errors.severity == .high && errors.reasonCode == "OPS.ERROR_RATE.HIGH" && errors.runbook == "runbooks/error-rate.md")
        #expect(errors.secret == "abc" && errors.webhooks.count == 2)
        let pii = try #require(a.rule(named: "pii"))
        #expect(pii.severity == .critical && pii.reasonCode == "GUARD.PII.LEAK" && pii.runbook == "runbooks/pii-leak.md")
        #expect(pii.webhooks == ["http://127.0.0.1:9000/hook"] && pii.groupBy == .run && pii.threshold == 0)
        let high = try #require(a.rule(named: "high-denies"))
        #expect(Set(high.denyCodes) == ["GUARD.TOOL.NOT_ALLOWED", "GUARD.BUDGET.EXCEEDED"])
        #expect(high.reasonCode == nil && high.runbook == "runbooks/blocked-by-guard.md" && high.severity == .medium)
        #expect(a.rule(named: "lag")?.secret == "from-env" && a.rule(named: "lag")?.groupBy == .source)
        #expect(a.rule(named: "audit")?.severity == .critical && a.rule(named: "audit")?.runbook == "runbooks/audit-broken.md")
        #expect(a.rule(named: "facts")?.runbook == "https://wiki.example/facts" && a.rule(named: "facts")?.reasonCode == nil)
    }

    @Test func noAlertsSectionMeansNoRules() throws {
        let c = try load("[log]\nlevel = \"debug\"\n")
        #expect(c.alerts == AlertsConfiguration() && c.gateMaxIngestLag == 60)
    }

    /// Each broken rule and the words its error must contain.
    static let brokenRules: [(String, [String])] = [
        ("kind = \"error_rate\"\nthreshold = 0.1\nwindow = \"5m\"\n\(hook)", ["alerts.rules[0]", "name is required"]),
        ("name = \"bad name!\"\nkind = \"sql\"\n\(hook)", ["alerts.rules[0]", "bad name!"]),
        ("name = \"r\"\n\(hook)", ["alert rule r", "kind is required"]),
        ("name = \"r\"\nkind = \"latency\"\n\(hook)", ["alert rule r", "unknown kind \"latency\""]),
        ("name = \"r\"\nkind = \"error_rate\"\nwindow = \"5m\"\n\(hook)", ["alert rule r", "threshold is required"]),
        ("name = \"r\"\nkind = \"error_rate\"\nthreshold = 5\nwindow = \"5m\"\n\(hook)", ["alert rule r", "between 0 and 1"]),
        ("name = \"r\"\nkind = \"error_rate\"\nthreshold = 0.1\n\(hook)", ["alert rule r", "window is required"]),
        ("name = \"r\"\nkind = \"error_rate\"\nthreshold = 0.1\nwindow = \"0s\"\n\(hook)", ["alert rule r", "window must be longer than 0"]),
        ("name = \"r\"\nkind = \"error_rate\"\nthreshold = 0.1\nwindow = \"five minutes\"\n\(hook)", ["alert rule r: window", "duration"]),
        ("name = \"r\"\nkind = \"ingest_lag\"\nthreshold = 5\nwindow = \"5m\"\n\(hook)", ["alert rule r", "window does not apply to kind ingest_lag"]),
        ("name = \"r\"\nkind = \"ingest_lag\"\n\(hook)", ["alert rule r", "threshold is required"]),
        ("name = \"r\"\nkind = \"ingest_lag\"\nthreshold = -1\n\(hook)", ["alert rule r", "0 or more"]),
        ("name = \"r\"\nkind = \"sql\"\nthreshold = 1\n\(hook)", ["alert rule r", "query is required"]),
        ("name = \"r\"\nkind = \"sql\"\nthreshold = 1\nquery = \"  \"\n\(hook)", ["alert rule r", "query is required"]),
        ("name = \"r\"\nkind = \"guard_deny\"\nwindow = \"5m\"\nquery = \"SELECT 1\"\n\(hook)", ["alert rule r", "query does not apply"]),
        ("name = \"r\"\nkind = \"sql\"\nthreshold = 1\nquery = \"SELECT 1\"\n\(hook)", ["alert rule r", "severity is required"]),
        ("name = \"r\"\nkind = \"audit_broken\"\nseverity = \"urgent\"\n\(hook)", ["alert rule r", "unknown severity \"urgent\""]),
        ("name = \"r\"\nkind = \"guard_deny\"\nwindow = \"5m\"\nreason_codes = [\"GUARD.NOPE\"]\n\(hook)", ["alert rule r", "GUARD.NOPE"]),
        ("name = \"r\"\nkind = \"guard_deny\"\nwindow = \"5m\"\nseverities = [\"huge\"]\n\(hook)", ["alert rule r", "huge"]),
        ("name = \"r\"\nkind = \"guard_deny\"\nwindow = \"5m\"\nreason_codes = []\n\(hook)", ["alert rule r", "select no reason code"]),
        ("name = \"r\"\nkind = \"audit_broken\"\nreason_code = \"OPS.NOPE\"\n\(hook)", ["alert rule r", "OPS.NOPE"]),
        ("name = \"r\"\nkind = \"audit_broken\"\nrunbook = \"RB-999\"\n\(hook)", ["alert rule r", "runbook RB-999"]),
        ("name = \"r\"\nkind = \"audit_broken\"", ["alert rule r", "webhooks is required"]),
        ("name = \"r\"\nkind = \"audit_broken\"\nwebhooks = []", ["alert rule r", "webhooks is required"]),
        ("name = \"r\"\nkind = \"audit_broken\"\nwebhooks = [\"ftp://host/x\"]", ["alert rule r", "ftp://host/x", "http(s) URL"]),
        ("name = \"r\"\nkind = \"audit_broken\"\nwebhooks = [\"not a url\"]", ["alert rule r", "not a url"]),
        ("name = \"r\"\nkind = \"audit_broken\"\nwebhooks = [\"http://a/x\", \"http://a/x\"]", ["alert rule r", "twice"]),
        ("name = \"r\"\nkind = \"audit_broken\"\nwebhooks = [1]", ["alert rule r: webhooks", "array of strings"]),
        ("name = \"r\"\nkind = \"audit_broken\"\nsecret = \"\"\n\(hook)", ["alert rule r", "secret must not be empty"]),
        ("name = \"r\"\nkind = \"audit_broken\"\nsecret_env = \"NOT_SET_ANYWHERE\"\n\(hook)", ["alert rule r", "NOT_SET_ANYWHERE"]),
        ("name = \"r\"\nkind = \"audit_broken\"\nsecret = \"a\"\nsecret_env = \"B\"\n\(hook)", ["alert rule r", "not both"]),
        ("name = \"r\"\nkind = \"audit_broken\"\nfor = \"-5s\"\n\(hook)", ["alert rule r: for", "duration"]),
        ("name = \"r\"\nkind = \"audit_broken\"\ncooldown = true\n\(hook)", ["alert rule r: cooldown", "duration"]),
        ("name = \"r\"\nkind = \"audit_broken\"\nthreshold = \"high\"\n\(hook)", ["alert rule r: threshold", "number"]),
        ("name = \"r\"\nkind = \"guard_deny\"\nwindow = \"5m\"\ngroup_by = \"service\"\n\(hook)", ["alert rule r", "group_by \"service\""]),
        ("name = \"r\"\nkind = \"error_rate\"\nthreshold = 0.1\nwindow = \"5m\"\nmin_spans = 0\n\(hook)", ["alert rule r", "min_spans"]),
        ("name = \"r\"\nkind = \"error_rate\"\nthreshold = 0.1\nwindow = \"5m\"\nservices = []\n\(hook)", ["alert rule r", "services"]),
        ("name = \"r\"\nkind = \"ingest_lag\"\nthreshold = 1\nsources = [\"\"]\n\(hook)", ["alert rule r", "sources"]),
        ("name = \"r\"\nkind = \"audit_broken\"\ncolour = \"red\"\n\(hook)", ["alert rule r", "unknown key colour"]),
    ]

    @Test(arguments: brokenRules.indices)
    func brokenRuleIsAStartupError(_ index: Int) {
        let (rule, words) = Self.brokenRules[index]
        let message = error("[[alerts.rules]]\n" + rule + "\n")
        #expect(message != nil, "loaded: \(rule)")
        for word in words { #expect(message?.contains(word) == true, "\(message ?? "nil") lacks \(word)") }
    }

    @Test func sectionErrors() {
        let rule = "name = \"r\"\nkind = \"audit_broken\"\n\(Self.hook)\n"
        #expect(error("[[alerts.rules]]\n\(rule)[[alerts.rules]]\n\(rule)")?.contains("alert rule r: the name is used twice") == true)
        #expect(error("[alerts]\nspeed = 1\n")?.contains("alerts: unknown key speed") == true)
        #expect(error("[alerts]\nmax_attempts = 0\n")?.contains("alerts.max_attempts") == true)
        #expect(error("[alerts]\ninterval = \"0s\"\n")?.contains("alerts.interval must be longer than 0") == true)
        #expect(error("[alerts]\nbackoff_initial = \"1m\"\nbackoff_max = \"1s\"\n")?.contains("backoff_max") == true)
        #expect(error("[alerts]\nrules = 3\n")?.contains("alerts.rules must be an array of tables") == true)
        #expect(error("alerts = 1\n")?.contains("alerts must be a table") == true)
        #expect(error("[gate]\nmax_ingest_lag = \"soon\"\n")?.contains("gate.max_ingest_lag") == true)
        #expect(error("[gate]\nhold = true\n")?.contains("gate: unknown key hold") == true)
    }

    @Test func durations() throws {
        for (text, seconds) in [("\"250ms\"", 0.25), ("\"30s\"", 30.0), ("\"5m\"", 300.0), ("\"2h\"", 7200.0), ("\"1d\"", 86_400.0),
                                ("\"1.5m\"", 90.0), ("45", 45.0), ("0.5", 0.5)] {
            #expect(try load("[gate]\nmax_ingest_lag = \(text)\n").gateMaxIngestLag == seconds, "\(text)")
        }
    }
}
