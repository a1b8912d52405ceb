import Redaction

/// One `events` row: an accepted watcher envelope, ready for the appender.
public struct EventRow: Sendable {
    /// Where the line came from: a file path or `stdin`.
    public var ingestSource: String
    /// The envelope's producer; with `id`, what makes the event unique.
    public var source: String
    public var id: String
    public var topic: String
    public var type: String
    public var timeMicros: Int64
    public var runID: String?
    public var packetID: String?
    public var traceID: String?
    public var partition: Int64?
    public var offset: Int64?
    public var dataschema: String?
    /// The payload as JSON text, secrets already replaced.
    public var data: String
    public var unknownTopic: Bool
    public var line: Int64
    public var byteOffset: Int64
    /// What redaction replaced in `data` (stored with the row in `redactions`).
    public var redactions: [Redaction]
    /// For a state transition that carries `seq`: its place in its run, checked against the
    /// run's other transitions before the row is stored.
    public var transition: TransitionStep?

    public init(
        ingestSource: String, source: String, id: String, topic: String, type: String, timeMicros: Int64,
        runID: String?, packetID: String?, traceID: String?, partition: Int64?, offset: Int64?, dataschema: String?,
        data: String, unknownTopic: Bool, line: Int64, byteOffset: Int64, redactions: [Redaction],
        transition: TransitionStep? = nil
    ) {
        self.ingestSource = ingestSource
        self.source = source
        self.id = id
        self.topic = topic
        self.type = type
        self.timeMicros = timeMicros
        self.runID = runID
        self.packetID = packetID
        self.traceID = traceID
        self.partition = partition
        self.offset = offset
        self.dataschema = dataschema
        self.data = data
        self.unknownTopic = unknownTopic
        self.line = line
        self.byteOffset = byteOffset
        self.redactions = redactions
        self.transition = transition
    }
}

/// A sequenced run state transition: run `runID` moved from `from` to `to` as its step `seq`.
public struct TransitionStep: Sendable, Equatable {
    public var runID: String
    public var seq: Int64
    public var from: String
    public var to: String

    public init(runID: String, seq: Int64, from: String, to: String) {
        self.runID = runID
        self.seq = seq
        self.from = from
        self.to = to
    }
}

/// One `ingest_rejects` row: a line that is not a conforming envelope.
public struct RejectRow: Sendable {
    public var ingestSource: String
    public var line: Int64
    public var byteOffset: Int64
    /// A stable code to count by (`not_json`, `payload_schema`, `huge_line`, …).
    public var kind: String
    public var reason: String
    /// The start of the line, truncated and redacted.
    public var excerpt: String

    public init(ingestSource: String, line: Int64, byteOffset: Int64, kind: String, reason: String, excerpt: String) {
        self.ingestSource = ingestSource
        self.line = line
        self.byteOffset = byteOffset
        self.kind = kind
        self.reason = reason
        self.excerpt = excerpt
    }
}
