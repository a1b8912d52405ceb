import Foundation

/// The cross-system contracts memoryd supports, loaded once, and the checks the ingest layer
/// runs per envelope.
///
/// ```swift
/// let contracts = try ContractRegistry.pinned()
/// let envelope = try JSONValue(parsing: lineBytes)     // JSONParseError: not JSON / not UTF-8
/// let check = contracts.validateEnvelope(envelope)
/// if !check.isValid { reject(line, reason: check.rejectReason!) }     // kinds: check.violations
/// else if check.isUnknownTopic { storeAsEvent(envelope, flaggedUnknown: true) }
/// else { materialize(envelope, into: check.topic!.materialize) }
/// ```
///
/// What it checks, in order: the envelope against `watcher/envelope.v1`; then, when the topic is
/// listed in `watcher/topics.v1.json` and `data` is an object, the payload against the topic's
/// schema, and — when the payload passes its schema — the registry rules: every reason code is
/// in `xtrlv2/reason_codes.v1.json`, every state transition is allowed by
/// `xtrlv2/run_states.v1.json`. An envelope that declares a `dataschema` other than its topic's
/// is rejected too.
///
/// What it does not check, because it needs more than one line: duplicates (the same `id` from
/// the same `source`), offset gaps, per-run `seq` order, whether `from_state` is the run's
/// current state. Those belong to the ingest layer, as do line-level limits (line size).
public struct ContractRegistry: Sendable {
    public let schemas: SchemaLibrary
    /// xtrlv2's reason codes: what incoming guard outcomes and transitions may carry.
    public let reasonCodes: ReasonCodeRegistry
    /// Codes memoryd itself answers with (e.g. the tracker's `DEPENDENCY.NOT_DONE` gate hold),
    /// kept apart so incoming data cannot use them; empty when no owned folder has the file.
    public let memorydReasonCodes: [ReasonCode]
    public let runStates: RunStateMachine
    public let topics: TopicRegistry
    public let envelopeSchema: JSONSchema
    private let payloadChecks: [String: PayloadCheck]
    private let rulesBySchema: [String: [DomainRule]]

    static let envelopeSchemaID = "watcher/envelope.v1"
    private static let dataPath: [PathElement] = [.key("data")]

    // MARK: Loading

    /// The contracts pinned in this module's resources (`Pinned/`: the byte-for-byte copy of the
    /// shared contracts folder, and `Owned/`: memoryd's own schemas such as `memoryd/fact.v1`).
    /// Loaded and compiled once per process.
    public static func pinned() throws -> ContractRegistry {
        try pinnedResult.get()
    }

    private static let pinnedResult: Result<ContractRegistry, ContractLoadError> = Result {
        () throws(ContractLoadError) -> ContractRegistry in
        try ContractRegistry(contractsDirectory: pinnedDirectory, additionalSchemaDirectories: [ownedDirectory])
    }

    /// `Pinned/` in the module's resource bundle.
    public static var pinnedDirectory: URL { resourceDirectory("Pinned") }

    /// `Owned/` in the module's resource bundle: schemas memoryd itself defines.
    public static var ownedDirectory: URL { resourceDirectory("Owned") }

    private static func resourceDirectory(_ name: String) -> URL {
        Bundle.module.url(forResource: name, withExtension: nil)
            ?? Bundle.module.bundleURL.appendingPathComponent(name, isDirectory: true)
    }

    /// Loads a contracts folder laid out like the shared one (`xtrlv2/`, `watcher/`, `opctrl/`);
    /// every `*.schema.json` in it and in `additionalSchemaDirectories` is compiled, and must
    /// declare the `$id` its path names (`xtrlv2/guard_outcome.v1.schema.json` →
    /// `xtrlv2/guard_outcome.v1`).
    public init(contractsDirectory: URL, additionalSchemaDirectories: [URL] = []) throws(ContractLoadError) {
        func readJSON(_ directory: URL, _ relative: String) throws(ContractLoadError) -> JSONValue {
            let data: Data
            do {
                data = try Data(contentsOf: directory.appendingPathComponent(relative))
            } catch {
                throw ContractLoadError(file: relative, message: "cannot read (\(directory.path)): \(error.localizedDescription)")
            }
            do {
                return try JSONValue(parsing: data)
            } catch {
                throw ContractLoadError(file: relative, message: error.description)
            }
        }

        var documents: [JSONValue] = []
        var rawByID: [String: JSONValue] = [:]
        for directory in [contractsDirectory] + additionalSchemaDirectories {
            for relative in Self.schemaFiles(in: directory) {
                let document = try readJSON(directory, relative)
                let expectedID = String(relative.dropLast(".schema.json".count))
                guard document["$id"]?.stringValue == expectedID else {
                    throw ContractLoadError(file: relative, message: "its $id must be \"\(expectedID)\", the path it is published at")
                }
                documents.append(document)
                rawByID[expectedID] = document
            }
        }
        let schemas: SchemaLibrary
        do {
            schemas = try SchemaLibrary(documents: documents)
        } catch {
            let file = String(error.location.prefix { $0 != "#" }) + ".schema.json"
            throw ContractLoadError(file: file, message: error.description)
        }

        let reasonCodes = try ReasonCodeRegistry(readJSON(contractsDirectory, ReasonCodeRegistry.file))
        var memorydReasonCodes: [ReasonCode] = []
        for directory in additionalSchemaDirectories
        where FileManager.default.fileExists(atPath: directory.appendingPathComponent(ReasonCodeRegistry.ownedFile).path) {
            let owned = try ReasonCodeRegistry(readJSON(directory, ReasonCodeRegistry.ownedFile), file: ReasonCodeRegistry.ownedFile)
            for code in owned.codes where reasonCodes[code.code] != nil {
                throw ContractLoadError(file: ReasonCodeRegistry.ownedFile, message: "\(code.code) is already an xtrlv2 code")
            }
            memorydReasonCodes += owned.codes
        }
        let runStates = try RunStateMachine(readJSON(contractsDirectory, RunStateMachine.file))
        let topics = try TopicRegistry(readJSON(contractsDirectory, TopicRegistry.file))
        guard let envelopeSchema = schemas[Self.envelopeSchemaID] else {
            throw ContractLoadError(file: Self.envelopeSchemaID + ".schema.json", message: "the envelope schema is missing")
        }

        var rulesBySchema: [String: [DomainRule]] = [:]
        for (schemaID, rules) in DomainRule.rules {
            guard let raw = rawByID[schemaID] else { continue }  // a contract this copy does not carry
            for rule in rules {
                for path in rule.paths where !DomainRule.schema(raw, declares: path) {
                    throw ContractLoadError(
                        file: schemaID + ".schema.json",
                        message: "memoryd checks \(rule) but the schema declares no property at \(DomainRule.render(path))")
                }
            }
            rulesBySchema[schemaID] = rules
        }

        var payloadChecks: [String: PayloadCheck] = [:]
        for topic in topics.topics {
            guard let id = topic.dataschema else { continue }
            guard let schema = schemas[id] else {
                throw ContractLoadError(file: TopicRegistry.file, message: "topic \(topic.name): no loaded schema has the $id \(id)")
            }
            payloadChecks[topic.name] = PayloadCheck(schema: schema, rules: rulesBySchema[id] ?? [])
        }

        self.schemas = schemas
        self.reasonCodes = reasonCodes
        self.memorydReasonCodes = memorydReasonCodes
        self.runStates = runStates
        self.topics = topics
        self.envelopeSchema = envelopeSchema
        self.payloadChecks = payloadChecks
        self.rulesBySchema = rulesBySchema
    }

    /// Relative paths of the `*.schema.json` files under `directory`, sorted.
    static func schemaFiles(in directory: URL) -> [String] {
        let root = directory.standardizedFileURL.path
        guard let walker = FileManager.default.enumerator(atPath: root) else { return [] }
        var files: [String] = []
        while let relative = walker.nextObject() as? String {
            if relative.hasSuffix(".schema.json") { files.append(relative) }
        }
        return files.sorted()
    }

    // MARK: Lookups

    /// The registry entry of a reason code (severity, gate effect, runbook), nil if unknown.
    public func reasonCode(_ code: String) -> ReasonCode? { reasonCodes[code] }

    /// A code memoryd answers with: xtrlv2's, else memoryd's own.
    public func answerCode(_ code: String) -> ReasonCode? {
        reasonCodes[code] ?? memorydReasonCodes.first { $0.code == code }
    }

    /// Whether `run_states.v1` allows a run to move from `from` to `to`.
    public func isAllowedTransition(from: String, to: String) -> Bool { runStates.isAllowed(from: from, to: to) }

    /// The topic's entry in `watcher/topics.v1.json`, nil for an unknown topic.
    public func topic(named name: String) -> Topic? { topics[name] }

    /// The schema a topic's payloads must follow; nil for an unknown topic or a topic whose
    /// payload is free-form (`"dataschema": null`).
    public func payloadSchema(forTopic name: String) -> JSONSchema? { payloadChecks[name]?.schema }

    // MARK: Validation

    /// Checks one parsed envelope line. See the type's documentation for what is checked.
    public func validateEnvelope(_ envelope: JSONValue) -> EnvelopeCheck {
        var violations: [ContractViolation] = []
        if !envelopeSchema.isValid(envelope) {
            violations = envelopeSchema.errors(envelope).map(Self.envelopeViolation)
        }
        guard case .object(let members) = envelope else {
            return EnvelopeCheck(violations: violations, topicName: nil, topic: nil)
        }
        let topicName = members["topic"]?.stringValue
        let topic = topicName.flatMap { topics[$0] }
        if let topic, let data = members["data"], case .object = data {
            if let declared = members["dataschema"]?.stringValue, let expected = topic.dataschema, declared != expected {
                violations.append(
                    ContractViolation(
                        kind: .dataschemaMismatch, instancePath: "/dataschema", keyword: "dataschema",
                        message: "\(SchemaTable.describe(.string(declared))) is not the schema of topic \(topic.name) (\(expected))"))
            }
            if let check = payloadChecks[topic.name] {
                check.validate(data, at: Self.dataPath, reasonCodes: reasonCodes, runStates: runStates, into: &violations)
            }
        }
        return EnvelopeCheck(violations: violations, topicName: topicName, topic: topic)
    }

    /// Checks a document against one contract schema and the registry rules that come with it
    /// (reason codes, transitions). For payloads without their envelope and for what memoryd
    /// itself emits (`opctrl/gate_decision.v1`, `opctrl/alert_webhook.v1`). Violations are of
    /// kind `payloadSchema` and the registry kinds; nil when no schema has that `$id`.
    public func validate(_ document: JSONValue, against schemaID: String) -> [ContractViolation]? {
        guard let schema = schemas[schemaID] else { return nil }
        var violations: [ContractViolation] = []
        // memoryd's own answers (opctrl gate decisions, alert payloads) may carry its own codes.
        let codes = schemaID.hasPrefix("opctrl/") ? reasonCodes.adding(memorydReasonCodes) : reasonCodes
        PayloadCheck(schema: schema, rules: rulesBySchema[schemaID] ?? []).validate(
            document, at: [], reasonCodes: codes, runStates: runStates, into: &violations)
        return violations
    }

    /// Files a schema error of the envelope under the reject kind a reader expects.
    static func envelopeViolation(_ error: SchemaError) -> ContractViolation {
        let kind: ContractViolation.Kind
        switch (error.instancePath, error.keyword) {
        case ("", "type"): kind = .notObject
        case ("", "required"): kind = .missingField
        case ("/specversion", _): kind = .wrongSpecversion
        case ("/time", _): kind = .badTime
        default: kind = .envelopeSchema
        }
        return ContractViolation(kind: kind, instancePath: error.instancePath, keyword: error.keyword, message: error.message)
    }
}

/// A payload schema and the registry rules of its contract.
struct PayloadCheck: Sendable {
    let schema: JSONSchema
    let rules: [DomainRule]

    func validate(
        _ payload: JSONValue, at prefix: [PathElement], reasonCodes: ReasonCodeRegistry, runStates: RunStateMachine,
        into violations: inout [ContractViolation]
    ) {
        guard schema.isValid(payload) else {
            for e in schema.errors(payload, at: prefix) {
                violations.append(ContractViolation(kind: .payloadSchema, instancePath: e.instancePath, keyword: e.keyword, message: e.message))
            }
            // Registry rules run on schema-valid payloads only: a reason code that fails its
            // pattern is reported once, by the schema.
            return
        }
        for rule in rules {
            rule.apply(to: payload, at: prefix, reasonCodes: reasonCodes, runStates: runStates, into: &violations)
        }
    }
}
