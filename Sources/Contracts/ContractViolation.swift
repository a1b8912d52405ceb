/// One reason an envelope (or a document checked against a contract) does not conform.
/// `description` — `"/data/decision: \"maybe\" is not one of \"allow\", \"warn\", \"deny\""` — is
/// meant to be stored as the reject reason; `kind` is a stable code to count rejects by.
public struct ContractViolation: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, CaseIterable {
        /// The envelope is not a JSON object.
        case notObject = "not_object"
        /// The envelope lacks a required member.
        case missingField = "missing_field"
        /// `specversion` is not `watcher.envelope.v1`.
        case wrongSpecversion = "wrong_specversion"
        /// The envelope's `time` is not an RFC 3339 date-time with a zone.
        case badTime = "bad_time"
        /// Any other way the envelope fails `watcher/envelope.v1`.
        case envelopeSchema = "envelope_schema"
        /// The payload (`data`) fails its topic's schema.
        case payloadSchema = "payload_schema"
        /// A reason code that `xtrlv2/reason_codes.v1.json` does not list.
        case unknownReasonCode = "unknown_reason_code"
        /// A state that `xtrlv2/run_states.v1.json` does not define.
        case unknownState = "unknown_state"
        /// A move `xtrlv2/run_states.v1.json` does not allow (including any move from a terminal state).
        case illegalTransition = "illegal_transition"
        /// The envelope's `dataschema` differs from the one its topic carries.
        case dataschemaMismatch = "dataschema_mismatch"
    }

    public let kind: Kind
    /// JSON Pointer into the envelope (or document): `/data/reason_code`; "" for the whole of it.
    public let instancePath: String
    /// The failing schema keyword (`required`, `enum`, `format`, …) or, for registry checks,
    /// `reason_code`, `transition`, `dataschema`.
    public let keyword: String
    public let message: String

    public init(kind: Kind, instancePath: String, keyword: String, message: String) {
        self.kind = kind
        self.instancePath = instancePath
        self.keyword = keyword
        self.message = message
    }

    public var description: String { instancePath.isEmpty ? message : "\(instancePath): \(message)" }
}

/// The verdict on one envelope.
public struct EnvelopeCheck: Sendable {
    /// Why the envelope must be rejected; empty when it conforms.
    public let violations: [ContractViolation]
    /// The envelope's `topic`, when it has a string one.
    public let topicName: String?
    /// The topic's entry in `watcher/topics.v1.json`; nil for an unknown topic.
    public let topic: Topic?

    public var isValid: Bool { violations.isEmpty }

    /// A topic `watcher/topics.v1.json` does not list. Not a violation: the contract says to
    /// store such envelopes in `events`, flagged as unknown, and never drop them.
    public var isUnknownTopic: Bool { topicName != nil && topic == nil }

    /// All violations in one line, to store with a rejected envelope.
    public var rejectReason: String? {
        violations.isEmpty ? nil : violations.map(\.description).joined(separator: "; ")
    }
}
