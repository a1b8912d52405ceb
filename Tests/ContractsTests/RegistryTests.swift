import Foundation
import Testing

@testable import Contracts

@Suite struct RegistryTests {
    @Test func pinnedContractsLoad() throws {
        #expect(
            pinned.schemas.ids == [
                "memoryd/fact.v1", "opctrl/alert_webhook.v1", "opctrl/gate_decision.v1", "watcher/envelope.v1",
                "xtrlv2/guard_outcome.v1", "xtrlv2/state_transition.v1",
            ])
        #expect(pinned.envelopeSchema.id == "watcher/envelope.v1")
    }

    // MARK: Reason codes

    @Test func reasonCodesCarrySeverityGateAndRunbook() throws {
        #expect(pinned.reasonCodes.codes.count == 17)
        let leak = try #require(pinned.reasonCode("GUARD.PII.LEAK"))
        #expect(leak.severity == .critical)
        #expect(leak.gate == .deny)
        #expect(leak.runbook == Runbook(id: "RB-101", link: "runbooks/pii-leak.md"))
        #expect(leak.meaning.contains("personal data"))
        let ok = try #require(pinned.reasonCode("GUARD.OK"))
        #expect(ok.severity == .info)
        #expect(ok.gate == .allow)
        #expect(ok.runbook == nil)
        #expect(pinned.reasonCode("GUARD.NOPE.NEVER") == nil)
        #expect(pinned.reasonCode("guard.ok") == nil)
        // Every code with a runbook id resolves to a link.
        for code in pinned.reasonCodes.codes { #expect(code.runbook.map { !$0.link.isEmpty } ?? true) }
        #expect(Severity.low < .critical)
        #expect(GateEffect.hold < .deny)
    }

    // MARK: Run states

    @Test func runStateMachine() {
        let m = pinned.runStates
        #expect(m.initial == "queued")
        #expect(m.states == ["queued", "planning", "executing", "verifying", "blocked", "succeeded", "failed", "cancelled"])
        #expect(m.terminal == ["succeeded", "failed", "cancelled"])
        #expect(m.allowedTargets(from: "verifying") == ["succeeded", "executing", "failed"])
    }

    @Test(arguments: [
        ("queued", "planning", true), ("planning", "executing", true), ("executing", "verifying", true), ("verifying", "succeeded", true),
        ("verifying", "executing", true), ("blocked", "planning", true), ("executing", "cancelled", true),
        ("queued", "succeeded", false), ("queued", "executing", false), ("verifying", "cancelled", false), ("planning", "planning", false),
        ("succeeded", "planning", false), ("failed", "queued", false), ("cancelled", "cancelled", false),
        ("paused", "planning", false), ("queued", "paused", false),
    ])
    func transitions(_ from: String, _ to: String, _ allowed: Bool) {
        #expect(pinned.isAllowedTransition(from: from, to: to) == allowed)
    }

    @Test func transitionVerdicts() {
        let m = pinned.runStates
        #expect(m.verdict(from: "queued", to: "planning") == .allowed)
        #expect(m.verdict(from: "queued", to: "succeeded") == .notAllowed(allowed: ["planning", "cancelled"]))
        #expect(m.verdict(from: "succeeded", to: "planning") == .fromTerminal("succeeded"))
        #expect(m.verdict(from: "paused", to: "planning") == .unknownState("paused"))
        #expect(m.verdict(from: "queued", to: "paused") == .unknownState("paused"))
    }

    // MARK: Topics

    @Test func topicsMapToPayloadSchemas() throws {
        #expect(pinned.topics.topics.map(\.name) == ["dome.guard.outcome", "dome.run.transition", "dome.memory.fact", "dome.agent.note", "opctrl.runbook.executed"])
        #expect(pinned.payloadSchema(forTopic: "dome.guard.outcome")?.id == "xtrlv2/guard_outcome.v1")
        #expect(pinned.payloadSchema(forTopic: "dome.run.transition")?.id == "xtrlv2/state_transition.v1")
        #expect(pinned.payloadSchema(forTopic: "dome.memory.fact")?.id == "memoryd/fact.v1")
        #expect(pinned.payloadSchema(forTopic: "dome.agent.note") == nil)
        #expect(pinned.topic(named: "dome.agent.note")?.materialize == "events")
        #expect(pinned.topic(named: "dome.something.new") == nil)
        #expect(pinned.topics.unknownTopicPolicy.contains("never drop"))
    }

    /// memoryd's own fact schema must say what the topic's fact_shape says.
    @Test func factSchemaAgreesWithTheTopicsFactShape() throws {
        let shape = try #require(pinned.topic(named: "dome.memory.fact")?.factShape)
        let raw = try JSONValue(parsing: Data(contentsOf: ContractRegistry.ownedDirectory.appendingPathComponent("memoryd/fact.v1.schema.json")))
        #expect(raw["required"]?.arrayValue?.compactMap(\.stringValue) == shape.required)
        #expect(Set(raw["properties"]?.objectValue?.keys ?? []) == Set(shape.required + shape.optional))
        #expect(raw["additionalProperties"] == false)
        let fact = try #require(pinned.payloadSchema(forTopic: "dome.memory.fact"))
        #expect(fact.isValid(["namespace": "runs/r1", "key": "plan", "value": ["steps": 3], "ttl_s": 60, "run_id": "r1"]))
        #expect(fact.isValid(["namespace": "n", "key": "k", "value": .null]))
        #expect(fact.validate(["namespace": "n", "key": "k"]).map(\.message) == [#"missing required property "value""#])
        #expect(fact.validate(["namespace": "n", "key": "k", "value": 1, "if_version": 2]).map(\.instancePath) == ["/if_version"])
        #expect(fact.validate(["namespace": "n", "key": "k", "value": 1, "ttl_s": 0]).map(\.keyword) == ["minimum"])
    }

    // MARK: Envelopes

    static let validTransition: JSONValue = [
        "specversion": "watcher.envelope.v1", "id": "e-1", "source": "watcher://dome/planner-7", "topic": "dome.run.transition",
        "type": "dome.run.transition.v1", "time": "2026-02-15T09:01:01Z", "run_id": "run-1", "trace_id": "1818e811892f902bd23f0824128b2f33",
        "partition": 0, "offset": 0, "dataschema": "xtrlv2/state_transition.v1",
        "data": [
            "run_id": "run-1", "from_state": "queued", "to_state": "planning", "at": "2026-02-15T09:01:01Z",
            "reason_code": "STATE.PLAN.READY", "seq": 0,
        ],
    ]

    func envelope(_ edit: (inout JSONObject) -> Void) -> JSONValue {
        var o = Self.validTransition.objectValue!
        edit(&o)
        return .object(o)
    }

    func data(_ edit: @escaping (inout JSONObject) -> Void) -> JSONValue {
        envelope { e in
            var d = e["data"]!.objectValue!
            edit(&d)
            e["data"] = .object(d)
        }
    }

    @Test func aValidEnvelopePasses() {
        let check = pinned.validateEnvelope(Self.validTransition)
        #expect(check.isValid)
        #expect(check.topic?.materialize == "state_transitions")
        #expect(!check.isUnknownTopic)
        #expect(check.rejectReason == nil)
    }

    @Test func unknownTopicIsFlaggedNotRejected() {
        let check = pinned.validateEnvelope(envelope { $0["topic"] = "dome.something.new"; $0["data"] = ["anything": [1, 2]] })
        #expect(check.isValid)
        #expect(check.isUnknownTopic)
        #expect(check.topicName == "dome.something.new")
    }

    @Test func unknownReasonCode() {
        let check = pinned.validateEnvelope(data { $0["reason_code"] = "STATE.PLAN.NEVER" })
        #expect(check.violations.map(\.kind) == [.unknownReasonCode])
        #expect(check.rejectReason == #"/data/reason_code: "STATE.PLAN.NEVER" is not a reason code of reason_codes.v1"#)
    }

    @Test func reasonCodeFailingItsPatternIsReportedOnce() {
        let check = pinned.validateEnvelope(data { $0["reason_code"] = "lower.case" })
        #expect(check.violations.map(\.kind) == [.payloadSchema])
        #expect(check.violations.first?.keyword == "pattern")
    }

    @Test func illegalTransitions() {
        let skip = pinned.validateEnvelope(data { $0["to_state"] = "succeeded" })
        #expect(skip.violations.map(\.kind) == [.illegalTransition])
        #expect(skip.violations.first?.instancePath == "/data/to_state")
        #expect(skip.violations.first?.message == #"transition "queued" → "succeeded" is not allowed by run_states.v1 (from "queued": planning, cancelled)"#)

        let terminal = pinned.validateEnvelope(data { $0["from_state"] = "succeeded"; $0["to_state"] = "planning" })
        #expect(terminal.violations.map(\.kind) == [.illegalTransition])
        #expect(terminal.violations.first?.message.contains("terminal state \"succeeded\"") == true)

        let unknown = pinned.validateEnvelope(data { $0["from_state"] = "paused" })
        #expect(unknown.violations.map(\.kind) == [.unknownState])
        #expect(unknown.violations.first?.instancePath == "/data/from_state")
    }

    @Test func payloadSchemaViolationsPointIntoData() {
        let check = pinned.validateEnvelope(data { $0["seq"] = -1; $0["extra"] = true })
        #expect(check.violations.map(\.kind) == [.payloadSchema, .payloadSchema])
        #expect(Set(check.violations.map(\.instancePath)) == ["/data/seq", "/data/extra"])
    }

    @Test func dataschemaMustMatchTheTopic() {
        let check = pinned.validateEnvelope(envelope { $0["dataschema"] = "xtrlv2/guard_outcome.v1" })
        #expect(check.violations.map(\.kind) == [.dataschemaMismatch])
        #expect(check.violations.first?.instancePath == "/dataschema")
        // A topic with a free-form payload takes whatever it declares.
        let note = pinned.validateEnvelope(envelope { $0["topic"] = "dome.agent.note"; $0["data"] = ["text": "hi"] })
        #expect(note.isValid)
    }

    @Test func envelopeViolationsAreFiledByKind() {
        let notObject = pinned.validateEnvelope([1, 2, 3])
        #expect(notObject.violations.map(\.kind) == [.notObject])
        #expect(notObject.rejectReason == "expected object, found an array of 3 items")

        let missing = pinned.validateEnvelope(envelope { $0["topic"] = nil })
        #expect(missing.violations.map(\.kind) == [.missingField])
        #expect(missing.violations.first?.message == #"missing required property "topic""#)
        #expect(missing.topicName == nil)

        #expect(pinned.validateEnvelope(envelope { $0["specversion"] = "cloudevents/1.0" }).violations.map(\.kind) == [.wrongSpecversion])
        #expect(pinned.validateEnvelope(envelope { $0["time"] = "yesterday" }).violations.map(\.kind) == [.badTime])
        #expect(pinned.validateEnvelope(envelope { $0["time"] = "2026-02-15T09:01:01" }).violations.map(\.kind) == [.badTime])

        let several = pinned.validateEnvelope(envelope { $0["offset"] = -1; $0["trace_id"] = "XYZ"; $0["unexpected"] = 1 })
        #expect(several.violations.map(\.kind) == [.envelopeSchema, .envelopeSchema, .envelopeSchema])
        #expect(Set(several.violations.map(\.instancePath)) == ["/offset", "/trace_id", "/unexpected"])
    }

    // MARK: Other contracts (what memoryd emits)

    @Test func gateDecisionsAndAlertsAgainstTheirContracts() throws {
        let decision: JSONValue = [
            "run_id": "run-1", "decision": "deny", "decided_at": "2026-02-15T09:10:07Z",
            "reasons": [["reason_code": "GUARD.PII.LEAK", "source": "guard_outcome", "ref": "g-1", "runbook": "runbooks/pii-leak.md"]],
        ]
        #expect(pinned.validate(decision, against: "opctrl/gate_decision.v1") == [])
        var bad = decision.objectValue!
        bad["reasons"] = [["reason_code": "GUARD.PII.LEAK", "source": "guard_outcome"], ["reason_code": "MADE.UP", "source": "state"]]
        let violations = try #require(pinned.validate(.object(bad), against: "opctrl/gate_decision.v1"))
        #expect(violations.map(\.description) == [#"/reasons/1/reason_code: "MADE.UP" is not a reason code of reason_codes.v1"#])

        let alert: JSONValue = [
            "alert_id": "a-1", "rule": "ingest_lag", "severity": "medium", "state": "firing", "fired_at": "2026-02-15T09:10:07Z",
            "summary": "lag", "reason_code": .null, "resolved_at": .null, "value": 12.5, "threshold": 10,
        ]
        #expect(pinned.validate(alert, against: "opctrl/alert_webhook.v1") == [])
        #expect(pinned.validate(alert, against: "nope/none.v1") == nil)
    }

    // MARK: Loading other folders

    /// A copy of the pinned contracts in a temporary folder, edited by `edit`.
    func loadEdited(_ edit: (URL) throws -> Void) throws -> ContractLoadError? {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("contracts-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.copyItem(at: ContractRegistry.pinnedDirectory, to: dir)
        for file in Paths.files(under: dir) {
            try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: dir.appendingPathComponent(file).path)
        }
        try edit(dir)
        do {
            _ = try ContractRegistry(contractsDirectory: dir, additionalSchemaDirectories: [ContractRegistry.ownedDirectory])
            return nil
        } catch {
            return error
        }
    }

    func replace(_ dir: URL, _ file: String, _ old: String, _ new: String) throws {
        let url = dir.appendingPathComponent(file)
        let text = try String(contentsOf: url, encoding: .utf8)
        #expect(text.contains(old))
        try text.replacingOccurrences(of: old, with: new).write(to: url, atomically: true, encoding: .utf8)
    }

    @Test func anUnmodifiedCopyLoads() throws {
        #expect(try loadEdited { _ in } == nil)
    }

    @Test func aContractUsingAnUnsupportedKeywordFailsToLoad() throws {
        let error = try #require(try loadEdited { dir in
            try replace(dir, "xtrlv2/guard_outcome.v1.schema.json", #""additionalProperties": false,"#, #""additionalProperties": false, "dependentRequired": {"span_id": ["trace_id"]},"#)
        })
        #expect(error.file == "xtrlv2/guard_outcome.v1.schema.json")
        #expect(error.message.contains("unsupported keyword \"dependentRequired\""))
    }

    @Test func aRenamedFieldThatARuleChecksFailsToLoad() throws {
        let error = try #require(try loadEdited { dir in
            try replace(dir, "xtrlv2/state_transition.v1.schema.json", #""to_state": {"type": "string"}"#, #""target_state": {"type": "string"}"#)
        })
        #expect(error.message.contains("/to_state"))
    }

    @Test func registryFileProblemsFailToLoad() throws {
        let badRunbook = try #require(try loadEdited { dir in
            try replace(dir, "xtrlv2/reason_codes.v1.json", #""runbook": "RB-101""#, #""runbook": "RB-999""#)
        })
        #expect(badRunbook.file == "xtrlv2/reason_codes.v1.json")
        #expect(badRunbook.message.contains("RB-999"))

        let badState = try #require(try loadEdited { dir in
            try replace(dir, "xtrlv2/run_states.v1.json", #""queued":     ["planning", "cancelled"]"#, #""queued":     ["planning", "paused"]"#)
        })
        #expect(badState.message.contains("paused"))

        let missingSchema = try #require(try loadEdited { dir in
            try replace(dir, "watcher/topics.v1.json", #""xtrlv2/guard_outcome.v1""#, #""xtrlv2/guard_outcome.v9""#)
        })
        #expect(missingSchema.message.contains("guard_outcome.v9"))

        let wrongID = try #require(try loadEdited { dir in
            try replace(dir, "opctrl/alert_webhook.v1.schema.json", #""$id": "opctrl/alert_webhook.v1""#, #""$id": "opctrl/alert.v1""#)
        })
        #expect(wrongID.file == "opctrl/alert_webhook.v1.schema.json")

        let notJSON = try #require(try loadEdited { dir in
            try "{".write(to: dir.appendingPathComponent("watcher/topics.v1.json"), atomically: true, encoding: .utf8)
        })
        #expect(notJSON.file == "watcher/topics.v1.json")
    }
}
