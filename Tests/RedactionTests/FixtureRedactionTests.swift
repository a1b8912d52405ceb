import Foundation
import Redaction
import Testing

/// Runs the redactor over every string of the captured OTLP fixtures (`Tests/Fixtures/otlp/
/// *.decoded.json`, see `MANIFEST.md`): the seeded secrets must all go, nothing else may change.
@Suite struct FixtureRedactionTests {
    /// Found relative to this file (symlinks resolved, so a scratch package linking this folder
    /// finds the repository's fixtures too).
    static let directory = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures/otlp")

    static var files: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [])
            .filter { $0.hasSuffix(".decoded.json") }.sorted()
    }

    /// The secrets `gen_otlp_fixtures.py` seeds (MANIFEST.md: "Seeded values").
    static let seeds = ["hunter2", "sk-live-123", "AKIAIOSFODNN7EXAMPLE"]

    /// Values that must come through unchanged (seeded non-secrets, names, the unicode string).
    static let survivors = [
        "pii-egress", "GUARD.PII.LEAK", "deny", "dome-planner", "dome-planner-otel", "run-66ddfe37ea40",
        "run-a33fe96d5bf4", "run-1862233ade8d", "pkt-dome-lm-02-memoryd-duckdb-materialization", "svc-dome",
        "Résumé für ドーム計画 — naïve café ☕ 🚀 Ωmega “quotes” ½", "stage {stage}", "login as {user} using password {password}",
        "calling tool {tool} with stored credentials", "calling tool duckdb.materialize with stored credentials",
        "guard pii-egress tripped for pkt-dome-lm-02-memoryd-duckdb-materialization", "[Scrubbed due to 'password']",
        "[Scrubbed due to 'api_key']", "[Scrubbed due to 'session']", "http://memoryd.internal:8080/v1/docs?q=dome",
        #"{"Authorization": "[Scrubbed due to 'Auth']", "X-Request-Id": "r-1"}"#,
        #"{"type":"object","properties":{"tool":{},"password":{},"api_key":{},"note":{},"detail":{},"headers":{"type":"object"}}}"#,
    ]

    /// Expected rules per file (sorted).
    static let expected: [String: [String]] = [
        "01-logfire-otlp-traces.decoded.json": ["aws_access_key", "password"],
        "02-logfire-otlp-logs.decoded.json": ["aws_access_key"],
        "07-logfire-native-traces-3.decoded.json": ["aws_access_key", "password"],
        "08-logfire-native-logs.decoded.json": ["aws_access_key"],
        "13-otelsdk-gzip-traces.decoded.json": ["api_key", "aws_access_key", "password"],
        "17-otelsdk-grpc-traces.decoded.json": ["api_key", "aws_access_key", "password"],
        "20-otlpjson-converted-traces.decoded.json": ["api_key", "aws_access_key", "password"],
    ]

    struct Outcome {
        var before: [String] = [] // every string in the file
        var after: [String] = [] // the same after redaction
        var records: [Redaction] = []
        var falsePositives: [String] = []
    }

    @Test func fixturesArePresent() {
        #expect(Self.files.count >= 20, "no fixtures in \(Self.directory.path)")
    }

    @Test(arguments: files)
    func seededSecretsGoAndNothingElseChanges(_ file: String) throws {
        let data = try Data(contentsOf: Self.directory.appendingPathComponent(file))
        let root = try JSONSerialization.jsonObject(with: data)
        var outcome = Outcome()
        walk(root, path: "", &outcome)

        let seedsBefore = outcome.before.filter { s in Self.seeds.contains { s.contains($0) } }.count
        let leaks = outcome.after.filter { s in Self.seeds.contains { s.contains($0) } }
        #expect(leaks.isEmpty, "\(file): secrets left: \(leaks)")
        #expect(outcome.falsePositives.isEmpty, "\(file): false positives: \(outcome.falsePositives)")
        #expect(outcome.records.map(\.rule).sorted() == (Self.expected[file] ?? []), "\(file): \(outcome.records)")
        #expect(outcome.records.count == seedsBefore, "\(file): one redaction per seeded occurrence")
        for r in outcome.records {
            #expect(!Self.seeds.contains { r.path.contains($0) || r.rule.contains($0) })
        }
        for survivor in Self.survivors {
            #expect(outcome.before.filter { $0 == survivor }.count == outcome.after.filter { $0 == survivor }.count,
                    "\(file): \(survivor) changed")
        }
        #expect(outcome.before.count == outcome.after.count)
    }

    @Test func theFixtureMessageLeakIsClosed() throws {
        let data = try Data(contentsOf: Self.directory.appendingPathComponent("01-logfire-otlp-traces.decoded.json"))
        var outcome = Outcome()
        walk(try JSONSerialization.jsonObject(with: data), path: "", &outcome)
        #expect(outcome.before.contains("login as svc-dome using password hunter2"))
        #expect(outcome.after.contains("login as svc-dome using password [REDACTED:password]"))
        #expect(outcome.after.contains("found key [REDACTED:aws_access_key] in ~/.aws/config"))
        #expect(outcome.records.contains { $0.path.hasSuffix(".attributes.logfire.msg") && $0.kind == .message })
    }

    // MARK: - OTLP/JSON walking (what the daemon does with its decoded OTLP types)

    func walk(_ node: Any, path: String, _ o: inout Outcome) {
        if let dict = node as? [String: Any] {
            for key in dict.keys.sorted() {
                let value = dict[key]!
                let p = path.isEmpty ? key : path + "." + key
                if key == "attributes", let list = value as? [[String: Any]] {
                    redactAttributes(list, path: p, &o)
                } else if key == "body", let any = value as? [String: Any] {
                    let v = anyValue(any)
                    var records: [Redaction] = []
                    let out = Redactor.standard.redact(v, path: p, into: &records)
                    account(before: v, after: out ?? v, records: records, &o)
                } else if let s = value as? String {
                    // Span/scope/metric names, ids, units: no redaction expected.
                    var records: [Redaction] = []
                    let out = Redactor.standard.redactValue(s, path: p, into: &records)
                    account(before: .string(s), after: .string(out ?? s), records: records, &o)
                } else {
                    walk(value, path: p, &o)
                }
            }
        } else if let array = node as? [Any] {
            for (i, e) in array.enumerated() { walk(e, path: "\(path)[\(i)]", &o) }
        }
    }

    func redactAttributes(_ list: [[String: Any]], path: String, _ o: inout Outcome) {
        let attributes = list.map { RedactableAttribute($0["key"] as? String ?? "", anyValue($0["value"] as? [String: Any] ?? [:])) }
        var records: [Redaction] = []
        let out = Redactor.standard.redactAttributes(attributes, path: path, into: &records) ?? attributes
        account(before: .object(attributes), after: .object(out), records: records, &o)
    }

    /// Records strings, and counts as a false positive every changed string that held no seed.
    func account(before: RedactableValue, after: RedactableValue, records: [Redaction], _ o: inout Outcome) {
        let b = strings(before), a = strings(after)
        o.before += b
        o.after += a
        o.records += records
        for (x, y) in zip(b, a) where x != y && !Self.seeds.contains(where: { x.contains($0) }) {
            o.falsePositives.append("\(x) → \(y)")
        }
    }

    func strings(_ v: RedactableValue) -> [String] {
        switch v {
        case let .string(s): [s]
        case let .array(a): a.flatMap(strings)
        case let .object(kv): kv.flatMap { strings($0.value) }
        default: []
        }
    }

    func anyValue(_ d: [String: Any]) -> RedactableValue {
        if let s = d["stringValue"] as? String { return .string(s) }
        if let b = d["boolValue"] as? Bool { return .bool(b) }
        if let i = d["intValue"] { return .int(Int64("\(i)") ?? 0) }
        if let x = d["doubleValue"] as? Double { return .double(x) }
        if let a = d["arrayValue"] as? [String: Any] {
            return .array((a["values"] as? [[String: Any]] ?? []).map(anyValue))
        }
        if let kv = d["kvlistValue"] as? [String: Any] {
            return .object((kv["values"] as? [[String: Any]] ?? []).map {
                RedactableAttribute($0["key"] as? String ?? "", anyValue($0["value"] as? [String: Any] ?? [:]))
            })
        }
        if let bytes = d["bytesValue"] as? String { return .bytes(Array(Data(base64Encoded: bytes) ?? Data())) }
        return .null
    }
}
