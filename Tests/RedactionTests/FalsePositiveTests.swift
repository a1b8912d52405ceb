import Redaction
import Testing

/// Ordinary telemetry values must come through untouched: detectors match shapes, not words.
@Suite struct FalsePositiveTests {
    static let values: [String] = [
        // Words that name secrets, as values.
        "secret-egress", "pii-egress", "password reset requested", "session expired", "auth", "cookie policy",
        "Ann", "author", "authors", "the api key was rotated", "credential stuffing detected", "jwt",
        "Bearer token required", "Bearer authentication is configured", "use a bearer token", "risk-score",
        "task-force-12345", "desk-7", "sk-learn", "sk-1", "skip-123456x",
        // Identifiers.
        "6996483c-4a76-4167-959f-d88865347ce2", "123e4567-e89b-12d3-a456-426614174000",
        "12345678-1234-5678-1234-567812345678", "01a20f94c4e5f6a7b8c9d0e1f2a3b4c5", "fd1b2974ce4d6d1d",
        "0000000000000000", "3d1219c7c4c5404aaa1f6d2a48adfda4", "run-66ddfe37ea40",
        "pkt-dome-lm-02-memoryd-duckdb-materialization", "GUARD.PII.LEAK", "doc-1", "r-1",
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        // Numbers: failing Luhn, implausible issuers (timestamps), lists, money, phones.
        "4111111111111112", "1234567890123456", "9999999999999999", "1732480000000000000", "1732480000000",
        "17324800000000", "user 12345678901234 logged in", "order #4111111111111111x", "1 2 3 4 5 6 7 8 9 10 11 12 13",
        "10 20 30 40 50 60 70 80", "$1,234,567.89", "+1 555-123-4567", "555-12-3456-7", "0.4111111111111111",
        "4111111111111111.5", "v1.4111111111111111", "5555-5555-5555-4444-1234",
        // Dates, versions, addresses, paths.
        "2026-11-24", "2026-11-24T22:04:06Z", "22:04:06.123", "07:35:25", "1.45.2", "0.66b2", "3.11.7",
        "6.18.44-fc-v782", "192.168.1.10", "10.0.0.1", "2001:db8::1", "[::1]:4318", "127.0.0.1:8787",
        "/srv/dome/app/gen_otlp_fixtures.py", "~/.aws/config", "C:\\Users\\ann\\secrets.txt", "./var/memory.duckdb",
        "http://memoryd.internal:8080/v1/docs?q=dome", "https://api.example.com/v1/users/@ann?sort=asc",
        "mailto:ann@example.com", "ann@example.com",
        // Base64-ish and code-ish text.
        "SGVsbG8gd29ybGQh", "eyJ", "eyJhbGciOiJIUzI1NiJ9", "a.b.c", "foo=bar&baz=qux", "x == y", "a != b",
        "if (passwordValid) { return }", "logfire.msg_template", "AKIA", "AKIAshort", "ASIA/Pacific",
        "-----BEGIN CERTIFICATE-----", "ghp_short", "xoxb-123", "pylf_v1_", "sk_live_x",
        // Unicode.
        "Résumé für ドーム計画 — naïve café ☕ 🚀 Ωmega “quotes” ½",
        // JSON documents without secrets (including key-rule words as VALUES and allowed shapes).
        #"{"steps":["read packet","retrieve context","materialize","verify"],"budget":{"tokens":8000,"usd":0.42},"dry_run":false}"#,
        #"{"reason": "password reset requested", "author": "Ann", "authors": ["A", "B"], "guard_id": "secret-egress"}"#,
        #"[{"path": ["attributes", "password"], "matched_substring": "password"}]"#,
        #"{"type":"object","properties":{"n":{},"preview":{}}}"#,
    ]

    @Test func valuesSurvive() {
        var failures: [String] = []
        for value in Self.values {
            let (out, records) = redactedValue(value)
            if out != value || !records.isEmpty { failures.append("\(value) → \(out)") }
        }
        #expect(failures.isEmpty, "false positives:\n\(failures.joined(separator: "\n"))")
    }

    @Test func valuesSurviveUnderNeutralKeysAndInMessages() {
        for value in Self.values {
            #expect(redactedAttribute("detail", value).1.isEmpty, "\(value)")
            var records: [Redaction] = []
            #expect(Redactor.standard.redactMessage("note: \(value)", template: "note: {detail}", path: "message",
                                                    into: &records) == nil, "\(value)")
        }
    }
}
