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
        for kv in attributes { absorb(kv) }
        runID = runID ?? aliases.runID
        packetID = packetID ?? aliases.packetID
        agent = agent ?? aliases.agent
        stage = stage ?? aliases.stage
    }

    private mutating func absorb(_ kv: OTLPKeyValue) {
        switch kv.key {
        case "dome.run.id": runID = kv.value.text
        case "dome.packet.id": packetID = kv.value.text
        case "dome.milestone": milestone = kv.value.text
        case "dome.agent": agent = kv.value.text
        case "dome.attempt": attempt = kv.value.integer
        case "dome.stage": stage = kv.value.text
        case "dome.stage.index": stageIndex = kv.value.integer
        case "run.id", "run_id": aliases.runID = kv.value.text
        case "packet.id", "packet_id": aliases.packetID = kv.value.text
        case "agent", "gen_ai.agent.name": aliases.agent = aliases.agent ?? kv.value.text
        case "stage": aliases.stage = kv.value.text
        default: break
        }
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
    var text: String? {
        switch value {
        case .stringValue(let s): s
        case .intValue(let i): String(i)
        case .doubleValue(let d): String(d)
        case .boolValue(let b): String(b)
        default: nil
        }
    }

    var integer: Int64? {
        switch value {
        case .intValue(let i): i
        case .doubleValue(let d): Int64(exactly: d)
        case .stringValue(let s): Int64(s)
        default: nil
        }
    }

    var strings: [String]? {
        guard case .arrayValue(let array) = value else { return nil }
        return array.values.compactMap(\.text)
    }
}
