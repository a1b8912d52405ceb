import OTLP

/// The run-level correlation columns, read from `dome.*` attributes. Widely used plain names
/// (`run.id`, `packet.id`, `agent`, `stage`, GenAI's `gen_ai.agent.name`) fill a column only
/// when its `dome.*` attribute is absent, so SDKs that were not set up for memoryd still
/// correlate.
struct Correlation: Sendable {
    var runID: String?
    var packetID: String?
    var milestone: String?
    var agent: String?
    var attempt: Int64?
    var stage: String?
    var stageIndex: Int64?

    private var aliases = Aliases()

    private struct Aliases: Sendable {
        var runID: String?
        var packetID: String?
        var agent: String?
        var stage: String?
    }

    init(_ attributes: [OTLPKeyValue]) {
        for kv in attributes {
            if let role = AttributeRole(key: kv.key) { absorb(role, RoleValue(kv.value)) }
        }
        resolveAliases()
    }

    /// Empty, to be filled with `absorb` and finished with `resolveAliases`.
    init() {}

    mutating func absorb(_ role: AttributeRole, _ value: RoleValue) {
        switch role {
        case .runID: runID = value.text
        case .packetID: packetID = value.text
        case .milestone: milestone = value.text
        case .agent: agent = value.text
        case .attempt: attempt = value.integer
        case .stage: stage = value.text
        case .stageIndex: stageIndex = value.integer
        case .aliasRunID: aliases.runID = value.text
        case .aliasPacketID: aliases.packetID = value.text
        case .aliasAgent: aliases.agent = aliases.agent ?? value.text
        case .aliasStage: aliases.stage = value.text
        case .logfireMessage, .logfireTemplate, .logfireLevel, .logfireTags, .logfireSpanType: break
        }
    }

    /// The plain names fill what the `dome.*` attributes left empty.
    mutating func resolveAliases() {
        runID = runID ?? aliases.runID
        packetID = packetID ?? aliases.packetID
        agent = agent ?? aliases.agent
        stage = stage ?? aliases.stage
    }

    /// Span values first, then the resource's.
    func fallingBack(to resource: Correlation) -> Correlation {
        var merged = self
        merged.runID = runID ?? resource.runID
        merged.packetID = packetID ?? resource.packetID
        merged.milestone = milestone ?? resource.milestone
        merged.agent = agent ?? resource.agent
        merged.attempt = attempt ?? resource.attempt
        merged.stage = stage ?? resource.stage
        merged.stageIndex = stageIndex ?? resource.stageIndex
        return merged
    }
}

extension OTLPAnyValue {
    /// Scalars as text (ids are sometimes sent as numbers).
    var text: String? { RoleValue(self).text }
}

extension RoleValue {
    init(_ any: OTLPAnyValue) {
        switch any.value {
        case .stringValue(let s): self = .string(s)
        case .intValue(let i): self = .int(i)
        case .doubleValue(let d): self = .double(d)
        case .boolValue(let b): self = .bool(b)
        case .arrayValue(let array): self = .strings(array.values.compactMap(\.text))
        default: self = .other
        }
    }
}
