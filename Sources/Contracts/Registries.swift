/// A contract file that cannot be loaded: missing, not JSON, not the expected shape, or a
/// schema the validator cannot enforce.
public struct ContractLoadError: Error, Sendable, CustomStringConvertible {
    /// The file, relative to the contracts folder (`xtrlv2/reason_codes.v1.json`).
    public let file: String
    public let message: String

    public var description: String { "\(file): \(message)" }
}

// MARK: - Reason codes (xtrlv2/reason_codes.v1.json)

public enum Severity: String, Sendable, CaseIterable, Comparable {
    case info, low, medium, high, critical

    public static func < (a: Severity, b: Severity) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// What a reason code asks of the ops gate; the strictest wins (deny > hold > allow).
public enum GateEffect: String, Sendable, CaseIterable, Comparable {
    case allow, hold, deny

    public static func < (a: GateEffect, b: GateEffect) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

public struct Runbook: Sendable, Hashable {
    /// `RB-101`
    public let id: String
    /// `runbooks/pii-leak.md`, as the registry gives it.
    public let link: String
}

public struct ReasonCode: Sendable, Hashable {
    /// `GUARD.PII.LEAK`
    public let code: String
    public let severity: Severity
    public let gate: GateEffect
    public let runbook: Runbook?
    public let meaning: String
}

public struct ReasonCodeRegistry: Sendable {
    public let version: String
    /// In registry order.
    public let codes: [ReasonCode]
    private let byCode: [String: ReasonCode]

    public subscript(code: String) -> ReasonCode? { byCode[code] }

    static let file = "xtrlv2/reason_codes.v1.json"

    /// memoryd's own codes (`Owned/memoryd/reason_codes.v1.json`), same shape as xtrlv2's.
    static let ownedFile = "memoryd/reason_codes.v1.json"

    /// This registry with `extra` codes after its own (the codes memoryd may answer with).
    func adding(_ extra: [ReasonCode]) -> ReasonCodeRegistry {
        ReasonCodeRegistry(version: version, codes: codes + extra)
    }

    private init(version: String, codes: [ReasonCode]) {
        self.version = version
        self.codes = codes
        byCode = Dictionary(codes.map { ($0.code, $0) }, uniquingKeysWith: { first, _ in first })
    }

    init(_ json: JSONValue, file: String = Self.file) throws(ContractLoadError) {
        func fail(_ message: String) -> ContractLoadError { ContractLoadError(file: file, message: message) }
        guard let version = json["version"]?.stringValue, let list = json["codes"]?.arrayValue,
            let runbooks = json["runbooks"]?.objectValue
        else { throw fail("expected {version, codes: [...], runbooks: {...}}") }
        var codes: [ReasonCode] = []
        var byCode: [String: ReasonCode] = [:]
        for entry in list {
            guard let code = entry["code"]?.stringValue else { throw fail("a code entry has no \"code\" string") }
            guard let severity = entry["severity"]?.stringValue.flatMap(Severity.init(rawValue:)) else {
                throw fail("\(code): severity must be one of \(Severity.allCases.map(\.rawValue))")
            }
            guard let gate = entry["gate"]?.stringValue.flatMap(GateEffect.init(rawValue:)) else {
                throw fail("\(code): gate must be one of \(GateEffect.allCases.map(\.rawValue))")
            }
            var runbook: Runbook?
            switch entry["runbook"] {
            case .string(let id)?:
                guard let link = runbooks[id]?.stringValue else { throw fail("\(code): runbook \(id) is not in \"runbooks\"") }
                runbook = Runbook(id: id, link: link)
            case .null?, nil:
                runbook = nil
            default:
                throw fail("\(code): runbook must be a string or null")
            }
            let reason = ReasonCode(
                code: code, severity: severity, gate: gate, runbook: runbook, meaning: entry["meaning"]?.stringValue ?? "")
            guard byCode.updateValue(reason, forKey: code) == nil else { throw fail("\(code) is listed twice") }
            codes.append(reason)
        }
        self.version = version
        self.codes = codes
        self.byCode = byCode
    }
}

// MARK: - Run states (xtrlv2/run_states.v1.json)

/// The run state machine: states, allowed moves, terminal states.
public struct RunStateMachine: Sendable {
    public let version: String
    public let initial: String
    /// In file order.
    public let states: [String]
    public let terminal: Set<String>
    private let targets: [String: [String]]

    /// The verdict on one move.
    public enum Verdict: Sendable, Hashable {
        case allowed
        case unknownState(String)
        case fromTerminal(String)
        case notAllowed(allowed: [String])
    }

    public func isKnownState(_ state: String) -> Bool { targets[state] != nil }

    public func isTerminal(_ state: String) -> Bool { terminal.contains(state) }

    /// The states a run may move to from `state` (empty for terminal and unknown states).
    public func allowedTargets(from state: String) -> [String] { targets[state] ?? [] }

    public func isAllowed(from: String, to: String) -> Bool { targets[from]?.contains(to) ?? false }

    public func verdict(from: String, to: String) -> Verdict {
        guard isKnownState(from) else { return .unknownState(from) }
        guard isKnownState(to) else { return .unknownState(to) }
        if isTerminal(from) { return .fromTerminal(from) }
        let allowed = allowedTargets(from: from)
        return allowed.contains(to) ? .allowed : .notAllowed(allowed: allowed)
    }

    static let file = "xtrlv2/run_states.v1.json"

    init(_ json: JSONValue) throws(ContractLoadError) {
        func fail(_ message: String) -> ContractLoadError { ContractLoadError(file: Self.file, message: message) }
        guard let version = json["version"]?.stringValue, let initial = json["initial"]?.stringValue,
            let terminal = json["terminal"]?.arrayValue, let transitions = json["transitions"]?.objectValue
        else { throw fail("expected {version, initial, terminal: [...], transitions: {...}}") }
        var targets: [String: [String]] = [:]
        for (state, list) in transitions {
            guard let list = list.arrayValue, list.allSatisfy({ $0.stringValue != nil }) else {
                throw fail("transitions.\(state) must be an array of state names")
            }
            targets[state] = list.map { $0.stringValue! }
        }
        for (state, list) in targets {
            for target in list where targets[target] == nil {
                throw fail("transition \(state) → \(target) names an unknown state")
            }
        }
        guard targets[initial] != nil else { throw fail("initial state \(initial) is not in transitions") }
        var terminalSet: Set<String> = []
        for t in terminal {
            guard let name = t.stringValue, targets[name] != nil else { throw fail("terminal state \(t.jsonText) is not in transitions") }
            guard targets[name]!.isEmpty else { throw fail("terminal state \(name) has outgoing transitions") }
            terminalSet.insert(name)
        }
        self.version = version
        self.initial = initial
        self.states = transitions.keys
        self.terminal = terminalSet
        self.targets = targets
    }
}

// MARK: - Topics (watcher/topics.v1.json)

/// The members a fact payload has (for `dome.memory.fact`).
public struct FactShape: Sendable, Hashable {
    public let required: [String]
    public let optional: [String]
}

public struct Topic: Sendable, Hashable {
    /// `dome.guard.outcome`
    public let name: String
    /// The payload schema's `$id` (`xtrlv2/guard_outcome.v1`), nil when the payload is free-form.
    public let dataschema: String?
    /// Where memoryd materializes the events: `guard_outcomes`, `state_transitions`, `memories`, `events`.
    public let materialize: String
    public let factShape: FactShape?
}

public struct TopicRegistry: Sendable {
    public let version: String
    /// In file order.
    public let topics: [Topic]
    /// What the contract says about envelopes on other topics ("store in events, flag as
    /// unknown, never drop").
    public let unknownTopicPolicy: String
    private let byName: [String: Topic]

    public subscript(name: String) -> Topic? { byName[name] }

    static let file = "watcher/topics.v1.json"

    init(_ json: JSONValue) throws(ContractLoadError) {
        func fail(_ message: String) -> ContractLoadError { ContractLoadError(file: Self.file, message: message) }
        guard let version = json["version"]?.stringValue, let list = json["topics"]?.arrayValue else {
            throw fail("expected {version, topics: [...]}")
        }
        var topics: [Topic] = []
        var byName: [String: Topic] = [:]
        for entry in list {
            guard let name = entry["topic"]?.stringValue, let materialize = entry["materialize"]?.stringValue else {
                throw fail("a topic entry needs \"topic\" and \"materialize\" strings")
            }
            let dataschema: String?
            switch entry["dataschema"] {
            case .string(let s)?: dataschema = s
            case .null?, nil: dataschema = nil
            default: throw fail("\(name): dataschema must be a string or null")
            }
            var factShape: FactShape?
            if let shape = entry["fact_shape"] {
                guard let required = shape["required"]?.arrayValue?.compactMap(\.stringValue),
                    let optional = shape["optional"]?.arrayValue?.compactMap(\.stringValue)
                else { throw fail("\(name): fact_shape needs \"required\" and \"optional\" arrays of names") }
                factShape = FactShape(required: required, optional: optional)
            }
            let topic = Topic(name: name, dataschema: dataschema, materialize: materialize, factShape: factShape)
            guard byName.updateValue(topic, forKey: name) == nil else { throw fail("topic \(name) is listed twice") }
            topics.append(topic)
        }
        self.version = version
        self.topics = topics
        self.unknownTopicPolicy = json["unknown_topic"]?.stringValue ?? ""
        self.byName = byName
    }
}
