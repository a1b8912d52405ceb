import Foundation
import Redaction
import Testing

@Suite struct RobustnessTests {
    @Test func degenerateInputs() {
        for s in ["", " ", "{", "}", "[]", "{}", "\"", "[REDACTED:", "-----BEGIN ", "eyJ.", "sk-", "::", "==", "=x", "x=",
                  "{\"a\":", "\\u00", String(repeating: "{", count: 10), "🚀", "\u{0}"] {
            #expect(redactedValue(s).1.isEmpty, "\(s.debugDescription)")
            #expect(redactedAttribute("password", s).0 == "[REDACTED:password]")
        }
    }

    @Test func deeplyNestedJSONFallsBackToTextButStillRedacts() {
        let depth = 300
        let doc = String(repeating: "{\"a\":", count: depth) + "{\"password\": \"deep-secret\"}" + String(repeating: "}", count: depth)
        let (out, records) = redactedValue(doc)
        #expect(!out.contains("deep-secret"))
        #expect(records.map(\.rule) == ["password"])
        #expect(isValidJSON(out))
    }

    @Test func forcedJSONAndNonJSON() {
        var records: [Redaction] = []
        let r = Redactor.standard
        // A JSON fragment (a bare string) holding a secret shape.
        #expect(r.redactJSONString("\"\(Secrets.aws)\"", path: "body", into: &records) == "\"[REDACTED:aws_access_key]\"")
        // Not JSON at all: detectors only.
        #expect(r.redactJSONString("token \(Secrets.aws)", path: "body", into: &records) == "token [REDACTED:aws_access_key]")
        // Key words only inside values: nothing to do.
        #expect(r.redactJSONString(#"{"note": "rotate the password"}"#, path: "body", into: &records) == nil)
        #expect(records.count == 2)
    }

    @Test func truncatedPEMInsideJSONTextKeepsTheDocumentValid() {
        let doc = "{\"k\": \"-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBgkqhkiG9w0B\", \"next\": 1}"
        let (out, records) = redactedValue(doc)
        #expect(isValidJSON(out))
        #expect(out == "{\"k\": \"[REDACTED:private_key]\", \"next\": 1}")
        #expect(records.map(\.rule) == ["private_key"])
    }

    @Test func longValuesAreScannedToTheEnd() {
        let filler = String(repeating: "vault parquet shard quorum 12345 ", count: 2000)
        let (out, records) = redactedValue(filler + Secrets.jwt + " " + filler)
        #expect(out == filler + "[REDACTED:jwt] " + filler)
        #expect(records.count == 1)
    }

    @Test func concurrentUseIsSafe() async throws {
        // Custom key patterns go through a shared verdict cache: hammer it from many tasks.
        let r = try Redactor(configuration: .init(extraKeyPatterns: [.init(name: "tenant", regex: "tenant")]))
        let counts = await withTaskGroup(of: Int.self) { group in
            for t in 0 ..< 8 {
                group.addTask {
                    var records: [Redaction] = []
                    for i in 0 ..< 2000 {
                        let key = i % 3 == 0 ? "tenant_\(i % 50)" : "k\(t)_\(i % 97)"
                        _ = r.redactAttribute(key: key, value: "v-\(i) \(Secrets.aws)", path: key, into: &records)
                    }
                    return records.count
                }
            }
            return await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(counts == Array(repeating: 2000, count: 8))
    }

    @Test func recordsNeverCarryValues() {
        let shapes = [Secrets.aws, Secrets.jwt, Secrets.githubClassic, Secrets.slackBot, Secrets.openAI,
                      "4111 1111 1111 1111", "123-45-6789", Secrets.logfire]
        let secrets = shapes + ["hunter2"]
        var records: [Redaction] = []
        let attributes: [RedactableAttribute] = [
            .init("password", .string("hunter2")),
            .init("note", .string(shapes.joined(separator: " | "))),
            .init("plan", .string(#"{"db": {"password": "hunter2", "dsn": "postgres://u:hunter2@h/db"}}"#)),
            .init("logfire.msg_template", .string("login {password} {note}")),
            .init("logfire.msg", .string("login hunter2 " + shapes.joined(separator: " | "))),
        ]
        let out = Redactor.standard.redactAttributes(attributes, into: &records)
        #expect(out != nil)
        #expect(records.count >= 12)
        for r in records {
            for s in secrets { #expect(!r.path.contains(s) && !r.rule.contains(s)) }
        }
        // And nothing of them is left in the output.
        let text = "\(out!)"
        for s in secrets { #expect(!text.contains(s), "\(s)") }
    }
}
