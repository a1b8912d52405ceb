/// Checks beyond JSON Schema that the contracts state in prose and in their registry files:
/// "Must be a code listed in reason_codes.v1.json", "Allowed moves are listed in
/// run_states.v1.json". Which members they apply to is listed here per schema `$id`; loading
/// fails if a listed member is no longer declared by the schema (a renamed field cannot make
/// a check silently stop).
enum DomainRule: Sendable, CustomStringConvertible {
    enum Step: Sendable {
        case member(String)
        case eachItem
    }

    /// The string at `path` (null or absent is fine) must be a registered reason code.
    case reasonCode([Step])
    /// The move from the state at `from` to the state at `to` must be allowed.
    case transition(from: String, to: String)

    static let rules: [String: [DomainRule]] = [
        "xtrlv2/guard_outcome.v1": [.reasonCode([.member("reason_code")])],
        "xtrlv2/state_transition.v1": [
            .reasonCode([.member("reason_code")]),
            .transition(from: "from_state", to: "to_state"),
        ],
        "opctrl/gate_decision.v1": [.reasonCode([.member("reasons"), .eachItem, .member("reason_code")])],
        "opctrl/alert_webhook.v1": [.reasonCode([.member("reason_code")])],
    ]

    var paths: [[Step]] {
        switch self {
        case .reasonCode(let path): [path]
        case .transition(let from, let to): [[.member(from)], [.member(to)]]
        }
    }

    var description: String {
        switch self {
        case .reasonCode(let path): "reason codes at \(Self.render(path))"
        case .transition(let from, let to): "transitions /\(from) → /\(to)"
        }
    }

    static func render(_ path: [Step]) -> String {
        path.map {
            switch $0 {
            case .member(let m): "/" + m
            case .eachItem: "/*"
            }
        }.joined()
    }

    /// Whether the raw schema document declares the path (`properties` / `items` chain).
    static func schema(_ schema: JSONValue, declares path: [Step]) -> Bool {
        var current = schema
        for step in path {
            switch step {
            case .member(let name):
                guard let next = current["properties"]?[name] else { return false }
                current = next
            case .eachItem:
                guard let next = current["items"] else { return false }
                current = next
            }
        }
        return true
    }

    func apply(
        to payload: JSONValue, at prefix: [PathElement], reasonCodes: ReasonCodeRegistry, runStates machine: RunStateMachine,
        into violations: inout [ContractViolation]
    ) {
        switch self {
        case .reasonCode(let steps):
            // Fast walk first; paths are built only when a code is unknown.
            guard !Self.allCodesKnown(payload, steps[...], reasonCodes) else { return }
            var path = prefix
            Self.reportUnknownCodes(payload, steps[...], &path, reasonCodes, &violations)
        case .transition(let fromKey, let toKey):
            guard let from = payload[fromKey]?.stringValue, let to = payload[toKey]?.stringValue else { return }
            func violation(_ kind: ContractViolation.Kind, _ key: String, _ message: String) {
                violations.append(
                    ContractViolation(
                        kind: kind, instancePath: PathElement.pointer(prefix + [.key(key)]), keyword: "transition", message: message))
            }
            switch machine.verdict(from: from, to: to) {
            case .allowed:
                break
            case .unknownState(let state):
                violation(
                    .unknownState, state == from ? fromKey : toKey,
                    "\"\(state)\" is not a run state of \(machine.version) (\(machine.states.joined(separator: ", ")))")
            case .fromTerminal(let state):
                violation(.illegalTransition, toKey, "no transition is allowed from the terminal state \"\(state)\" (to \"\(to)\")")
            case .notAllowed(let allowed):
                violation(
                    .illegalTransition, toKey,
                    "transition \"\(from)\" → \"\(to)\" is not allowed by \(machine.version) (from \"\(from)\": \(allowed.joined(separator: ", ")))"
                )
            }
        }
    }

    private static func allCodesKnown(_ value: JSONValue, _ steps: ArraySlice<Step>, _ codes: ReasonCodeRegistry) -> Bool {
        guard let step = steps.first else {
            if case .string(let code) = value { return codes[code] != nil }
            return true  // null or absent: nothing to check (the schema decides whether it may be)
        }
        switch step {
        case .member(let name):
            guard let next = value[name] else { return true }
            return allCodesKnown(next, steps.dropFirst(), codes)
        case .eachItem:
            guard case .array(let items) = value else { return true }
            return items.allSatisfy { allCodesKnown($0, steps.dropFirst(), codes) }
        }
    }

    private static func reportUnknownCodes(
        _ value: JSONValue, _ steps: ArraySlice<Step>, _ path: inout [PathElement], _ codes: ReasonCodeRegistry,
        _ violations: inout [ContractViolation]
    ) {
        guard let step = steps.first else {
            if case .string(let code) = value, codes[code] == nil {
                violations.append(
                    ContractViolation(
                        kind: .unknownReasonCode, instancePath: PathElement.pointer(path), keyword: "reason_code",
                        message: "\(SchemaTable.describe(value)) is not a reason code of \(codes.version)"))
            }
            return
        }
        switch step {
        case .member(let name):
            guard let next = value[name] else { return }
            path.append(.key(name))
            reportUnknownCodes(next, steps.dropFirst(), &path, codes, &violations)
            path.removeLast()
        case .eachItem:
            guard case .array(let items) = value else { return }
            for (i, item) in items.enumerated() {
                path.append(.index(i))
                reportUnknownCodes(item, steps.dropFirst(), &path, codes, &violations)
                path.removeLast()
            }
        }
    }
}
