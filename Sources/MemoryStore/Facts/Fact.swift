/// One version of a fact, as stored in `memories` (the current one) or `memory_history`.
public struct Fact: Sendable, Equatable {
    public var namespace: String
    public var key: String
    /// The value as JSON text.
    public var value: String
    public var version: Int64
    public var runID: String?
    public var traceID: String?
    public var source: String?
    /// The surface that wrote it: `mcp`, `a2a`, `rest`, `cli`, `envelope`.
    public var surface: String
    public var writtenBy: String?
    /// Microseconds since the Unix epoch.
    public var writtenAt: Int64
    public var expiresAt: Int64?
}

import Redaction

/// A request to write a fact (what `memory_upsert` carries once its arguments are checked).
public struct FactWrite: Sendable {
    public var namespace: String
    public var key: String
    /// The value as JSON text (already validated and redacted).
    public var value: String
    public var runID: String?
    public var traceID: String?
    public var source: String?
    public var surface: String
    public var writtenBy: String?
    public var ttlSeconds: Int64?
    /// Write only if the current version is this one; 0 means "only if the key does not exist".
    public var ifVersion: Int64?
    /// What redaction replaced in `value`, recorded in `redactions` with the write.
    public var redactions: [Redaction] = []

    public init(namespace: String, key: String, value: String, runID: String? = nil, traceID: String? = nil,
                source: String? = nil, surface: String, writtenBy: String? = nil, ttlSeconds: Int64? = nil,
                ifVersion: Int64? = nil) {
        self.namespace = namespace
        self.key = key
        self.value = value
        self.runID = runID
        self.traceID = traceID
        self.source = source
        self.surface = surface
        self.writtenBy = writtenBy
        self.ttlSeconds = ttlSeconds
        self.ifVersion = ifVersion
    }
}

/// What `memory_forget` removed.
public struct ForgetCounts: Sendable, Equatable {
    public var facts: Int
    public var versions: Int
    public var searchDocuments: Int
}
