import Foundation

/// The attributes that fill columns of their own (correlation, Logfire's message, level, tags
/// and span type), recognized from the key's UTF-8 bytes so both the generated-message path and
/// the wire path find them the same way without allocating a string per key.
enum AttributeRole: CaseIterable {
    case runID, packetID, milestone, agent, attempt, stage, stageIndex
    // Plain names other SDKs use; they count only when the `dome.*` attribute is absent.
    case aliasRunID, aliasPacketID, aliasAgent, aliasStage
    case logfireMessage, logfireTemplate, logfireLevel, logfireTags, logfireSpanType

    var keys: [StaticString] {
        switch self {
        case .runID: ["dome.run.id"]
        case .packetID: ["dome.packet.id"]
        case .milestone: ["dome.milestone"]
        case .agent: ["dome.agent"]
        case .attempt: ["dome.attempt"]
        case .stage: ["dome.stage"]
        case .stageIndex: ["dome.stage.index"]
        case .aliasRunID: ["run.id", "run_id"]
        case .aliasPacketID: ["packet.id", "packet_id"]
        case .aliasAgent: ["agent", "gen_ai.agent.name"]
        case .aliasStage: ["stage"]
        case .logfireMessage: ["logfire.msg"]
        case .logfireTemplate: ["logfire.msg_template"]
        case .logfireLevel: ["logfire.level_num"]
        case .logfireTags: ["logfire.tags"]
        case .logfireSpanType: ["logfire.span_type"]
        }
    }

    private static let table: [(key: StaticString, role: AttributeRole)] =
        allCases.flatMap { role in role.keys.map { ($0, role) } }

    /// The role of the attribute under `key`, or nil for an ordinary attribute.
    init?(key: UnsafeRawBufferPointer) {
        // Every role key starts with one of these; most keys are rejected on the first byte.
        guard let first = key.first, first == UInt8(ascii: "d") || first == UInt8(ascii: "l")
            || first == UInt8(ascii: "r") || first == UInt8(ascii: "p") || first == UInt8(ascii: "a")
            || first == UInt8(ascii: "s") || first == UInt8(ascii: "g") else { return nil }
        for entry in Self.table where entry.key.utf8CodeUnitCount == key.count {
            if memcmp(entry.key.utf8Start, key.baseAddress!, key.count) == 0 {
                self = entry.role
                return
            }
        }
        return nil
    }

    init?(key: String) {
        var key = key
        guard let role = key.withUTF8({ AttributeRole(key: UnsafeRawBufferPointer($0)) }) else { return nil }
        self = role
    }
}

/// An attribute value as the role columns read it: scalars, and arrays of scalars for tags.
enum RoleValue {
    case string(String), int(Int64), double(Double), bool(Bool), strings([String]), other

    /// Scalars as text (ids are sometimes sent as numbers).
    var text: String? {
        switch self {
        case .string(let s): s
        case .int(let i): String(i)
        case .double(let d): String(d)
        case .bool(let b): String(b)
        case .strings, .other: nil
        }
    }

    var integer: Int64? {
        switch self {
        case .int(let i): i
        case .double(let d): Int64(exactly: d)
        case .string(let s): Int64(s)
        default: nil
        }
    }

    var strings: [String]? {
        guard case .strings(let s) = self else { return nil }
        return s
    }
}
