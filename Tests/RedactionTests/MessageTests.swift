import Redaction
import Testing

/// The formatted message must not keep what a sensitive placeholder produced (the Logfire Python
/// SDK scrubs the `password` attribute but leaves it in `logfire.msg`).
@Suite struct MessageTests {
    func message(
        _ msg: String, _ template: String?, _ fields: [SensitiveField] = [], _ r: Redactor = .standard
    ) -> (String, [Redaction]) {
        var records: [Redaction] = []
        let out = r.redactMessage(msg, template: template, sensitiveFields: fields, path: "message", into: &records)
        return (out ?? msg, records)
    }

    @Test func fixtureCase() {
        let (out, records) = message("login as alice using password hunter2", "login as {user} using password {password}")
        #expect(out == "login as alice using password [REDACTED:password]")
        #expect(records == [Redaction(path: "message", rule: "password", kind: .message)])
        #expect(!records.description.contains("hunter2"))
    }

    @Test func throughTheAttributeList() {
        let attributes: [RedactableAttribute] = [
            .init("logfire.msg_template", .string("login as {user} using password {password}")),
            .init("logfire.msg", .string("login as alice using password hunter2")),
            .init("user", .string("alice")),
            .init("password", .string("hunter2")),
            .init("logfire.json_schema", .string(#"{"type":"object","properties":{"user":{},"password":{}}}"#)),
        ]
        var records: [Redaction] = []
        let out = Redactor.standard.redactAttributes(attributes, into: &records)
        #expect(out == [
            .init("logfire.msg_template", .string("login as {user} using password {password}")),
            .init("logfire.msg", .string("login as alice using password [REDACTED:password]")),
            .init("user", .string("alice")),
            .init("password", .string("[REDACTED:password]")),
            .init("logfire.json_schema", .string(#"{"type":"object","properties":{"user":{},"password":{}}}"#)),
        ])
        #expect(records == [
            Redaction(path: "attributes.password", rule: "password", kind: .key),
            Redaction(path: "attributes.logfire.msg", rule: "password", kind: .message),
        ])
    }

    @Test func nestedSecretInANeutralField() {
        // `plan` is not a sensitive name, but a key inside its JSON value is: its text in the
        // message goes too.
        let plan = #"{"db": {"password": "x9"}}"#
        var records: [Redaction] = []
        var fields: [SensitiveField] = []
        let attr = Redactor.standard.redactAttribute(key: "plan", value: plan, path: "attributes.plan",
                                                     into: &records, sensitiveFields: &fields)
        #expect(attr == #"{"db": {"password": "[REDACTED:password]"}}"#)
        #expect(fields == [SensitiveField(name: "plan", rule: "password", values: ["x9"])])
        let (out, _) = message("plan ready: {'db': {'password': 'x9'}} (1 step)", "plan ready: {plan} ({n} step)", fields)
        #expect(out == "plan ready: [REDACTED:password] (1 step)")
    }

    @Test func templateSyntax() {
        #expect(message("pw='hunter2' for {ann}", "pw={password!r} for {{{user}}}").0 == "pw=[REDACTED:password] for {ann}")
        #expect(message("pw:   hunter2|", "pw:{password:>10}|").0 == "pw:[REDACTED:password]|")
        #expect(message("creds hunter2 ok", "creds {creds.password} ok").0 == "creds [REDACTED:password] ok")
        #expect(message("token=abc123", "token={api_key=}").0 == "token=[REDACTED:api_key]")
        // Adjacent placeholders cannot be told apart: the group is redacted as one.
        #expect(message("annhunter2!", "{user}{password}!").0 == "[REDACTED:password]!")
        // Nothing sensitive in the template: unchanged.
        #expect(message("stage plan", "stage {stage}").1.isEmpty)
        #expect(message("guard pii-egress tripped for pkt-1", "guard %s tripped for %s").1.isEmpty)
    }

    @Test func ambiguousAlignmentRedactsTheWidestSpan() {
        // " for " occurs twice; the password may be "a" or "a for b": both go.
        #expect(message("token a for b for c", "token {password} for {user}").0 == "token [REDACTED:password] for c")
        // Unambiguous literals on the right bound it tightly.
        #expect(message("login as x using password y", "login as {user} using password {password}").0
            == "login as x using password [REDACTED:password]")
    }

    @Test func alignmentFailureFallsBackToKnownValues() {
        let fields = [SensitiveField(name: "password", rule: "password", values: ["hunter2"])]
        // The message was edited after formatting; the literal text no longer matches.
        let (out, records) = message("LOGIN alice / hunter2 (retry hunter2)", "login as {user} using password {password}", fields)
        #expect(out == "LOGIN alice / [REDACTED:password] (retry [REDACTED:password])")
        #expect(records.count == 2)
        #expect(records.allSatisfy { $0 == Redaction(path: "message", rule: "password", kind: .message) })
    }

    @Test func alignmentFailureMixingKnownAndUnknownValues() {
        // `password` has a known value, `api_key` none: the known one before the cut point is
        // replaced, and everything after the leading literal goes.
        let fields = [SensitiveField(name: "creds", rule: "password", values: ["pw-1"])]
        let (out, records) = message("id pw-1 / k-2 (edited)", "id {creds.user} then {api_key}", fields)
        #expect(message("id pw-1 then k-2", "id {creds.user} then {api_key}", fields).0
            == "id [REDACTED:password] then [REDACTED:api_key]")
        #expect(out == "id [REDACTED:api_key]")
        #expect(records == [Redaction(path: "message", rule: "api_key", kind: .message)])
        let (o2, _) = message("x pw-1 y pw-1", "id {creds} then {n}", fields)
        #expect(o2 == "x [REDACTED:password] y [REDACTED:password]")
    }

    @Test func alignmentFailureWithoutKnownValueRedactsAfterTheLeadingLiteral() {
        #expect(message("login as alice with pw hunter2", "login as {user} using password {password}").0
            == "login as [REDACTED:password]")
        #expect(message("totally different", "login as {user} using password {password}").0 == "[REDACTED:password]")
    }

    @Test func detectorsRunOnMessagesToo() {
        let (out, records) = message("calling with \(Secrets.aws) and sk-live-123", nil)
        #expect(out == "calling with [REDACTED:aws_access_key] and [REDACTED:llm_api_key]")
        #expect(records.map(\.rule) == ["aws_access_key", "llm_api_key"])
        #expect(records.allSatisfy { $0.path == "message" && $0.kind == .value })
        let (o2, r2) = message("login as \(Secrets.aws) using password hunter2", "login as {user} using password {password}")
        #expect(o2 == "login as [REDACTED:aws_access_key] using password [REDACTED:password]")
        #expect(r2.map(\.kind) == [.message, .value])
    }

    @Test func truncatedLogfireValueStillAligns() {
        // Logfire shortens long formatted values with "..." in logfire.msg; literals are intact.
        let msg = "secret blob vault parquet shard vau...rquet planner lattice done"
        #expect(message(msg, "secret blob {secret_blob} done").0 == "secret blob [REDACTED:secret] done")
    }

    @Test func allowListAndDisabledRulesApplyToFieldNames() throws {
        let r = try Redactor(configuration: .init(disabledRules: ["password"]))
        #expect(message("login as a using password hunter2", "login as {user} using password {password}", [], r).1.isEmpty)
        let r2 = try Redactor(configuration: .init(allowedKeys: ["password"]))
        #expect(message("login as a using password hunter2", "login as {user} using password {password}", [], r2).1.isEmpty)
    }
}
