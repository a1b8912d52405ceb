import Contracts
import DuckDB
import Foundation
import Logging
import MemoryStore
import Redaction

/// The memory operations every surface serves (MCP, A2A, REST, CLI): one implementation, with
/// its bounds and errors, behind `call(_:arguments:caller:)`. Adapters translate protocol
/// messages to calls and results back, and nothing more.
///
/// Reads run on a small pool of reader connections off Swift's cooperative threads; writes
/// (facts, search upkeep) on one serialized connection, never the ingest writer's, so ingest
/// keeps running while queries and writes do.
public final class MemoryService: Sendable {
    /// Bounds and sizes; the defaults are what `CONTRACT.md` promises.
    public struct Configuration: Sendable {
        /// Reader connections: how many queries run at once (`memory.readers`, default 4).
        public var readers = 4
        /// Rows `memory_query` returns when `max_rows` is not given (default 100).
        public var defaultMaxRows = 100
        /// The most rows `memory_query` returns (default 10,000).
        public var maxRows = 10_000
        /// The most result bytes (as JSON) `memory_query` returns (default 4 MiB).
        public var maxResultBytes = 4 << 20
        /// `memory_query`'s time budget when `timeout_ms` is not given (default 5 s).
        public var defaultTimeout: Duration = .seconds(5)
        /// The longest time budget a caller may ask for (default 30 s).
        public var maxTimeout: Duration = .seconds(30)
        /// Longest fact namespace and key, in characters (defaults 128 and 512).
        public var maxNamespaceLength = 128
        public var maxKeyLength = 512
        /// Largest fact value as JSON text (default 64 KiB).
        public var maxValueBytes = 64 << 10
        /// Where the `fts` extension is (default: beside the DuckDB engine).
        public var extensionDirectory: String?
        /// `ops_gate` holds runs while the ingest queue's oldest batch is older than this
        /// (`gate.max_ingest_lag`, default 60 s).
        public var gateMaxIngestLag: Duration = .seconds(60)
        /// Verifies the audit chain for `ops_gate` (a broken chain denies); nil: the service's
        /// audit log, when it has one, is verified (`AuditLog.verify`).
        public var auditCheck: AuditCheck?
        /// How long one verification of the service's audit log answers the gate and the
        /// `audit_broken` rules (`gate.audit_check_interval`, default 5 s; 0: every time).
        public var auditCheckInterval: Duration = .seconds(5)

        public init() {}
    }

    /// What the ingest side reports for `memory_health`.
    public struct IngestSnapshot: Sendable {
        public var queuedBatches: Int
        public var queuedRows: Int
        public var committedBatches: Int
        public var oldestQueuedAge: Double

        public init(queuedBatches: Int, queuedRows: Int, committedBatches: Int, oldestQueuedAge: Double) {
            self.queuedBatches = queuedBatches
            self.queuedRows = queuedRows
            self.committedBatches = committedBatches
            self.oldestQueuedAge = oldestQueuedAge
        }
    }

    /// Told about every call once it finished: the tool, who called, `ok` or the error's name,
    /// and how long it took. Metrics and the audit log hang off this.
    public typealias CallObserver = @Sendable (_ tool: String, _ caller: Caller, _ outcome: String, _ duration: Duration) -> Void

    public static let version = "0.1.0"
    public static var tools: [Tool] { ToolCatalog.all }

    let store: Store
    let configuration: Configuration
    let redactor: Redactor?
    let readers: ConnectionPool
    let writer: ConnectionPool
    let ingestStatus: @Sendable () -> IngestSnapshot?
    let logger: Logger
    let observer: CallObserver?
    /// Every call is appended here before it is answered (nil: not audited).
    let audit: AuditLog?
    let startedAt = Date()
    let auditVerdicts = AuditVerdictCache()
    private let inputSchemas: [String: JSONSchema]

    /// Loads the search extension and locks the database down for untrusted SQL (see
    /// `Store.sandbox`), then opens the connections.
    public init(store: Store, configuration: Configuration = .init(), redactor: Redactor?,
                ingestStatus: @escaping @Sendable () -> IngestSnapshot? = { nil }, observer: CallObserver? = nil,
                audit: AuditLog? = nil,
                logger: Logger) throws {
        try store.sandbox(extensionDirectory: configuration.extensionDirectory)
        self.store = store
        self.configuration = configuration
        self.redactor = redactor
        self.ingestStatus = ingestStatus
        self.observer = observer
        self.audit = audit
        self.logger = logger
        readers = try ConnectionPool(store: store, size: configuration.readers, label: "reader")
        writer = try ConnectionPool(store: store, size: 1, label: "memory-writer")
        var schemas: [String: JSONSchema] = [:]
        for tool in ToolCatalog.all {
            guard case .object(var schema) = tool.inputSchema else { continue }
            schema["$id"] = .string("memoryd:tool:\(tool.name)")
            schemas[tool.name] = try JSONSchema(.object(schema))
        }
        inputSchemas = schemas
    }

    /// Runs one tool. Arguments are checked against the tool's input schema first; every
    /// refusal is a `MemoryServiceError` with a message meant for the caller.
    public func call(_ name: String, arguments: JSONValue, caller: Caller) async throws(MemoryServiceError) -> JSONValue {
        let started = ContinuousClock.now
        let result: Result<JSONValue, MemoryServiceError>
        do {
            try authorize(name, caller: caller)
            result = .success(try await perform(name, arguments: arguments, caller: caller))
        } catch {
            result = .failure(error)
        }
        observer?(name, caller, Self.outcome(result), ContinuousClock.now - started)
        // Answered only once audited: see `AuditLog`.
        try await record(name, arguments: arguments, caller: caller, result: result)
        return try result.get()
    }

    private func perform(_ name: String, arguments: JSONValue, caller: Caller) async throws(MemoryServiceError) -> JSONValue {
        guard let inputSchema = inputSchemas[name] else { throw .unknownTool(name) }
        let args = try Arguments(arguments, tool: name, schema: inputSchema)
        do {
            switch name {
            case "memory_query": return try await query(args)
            case "memory_search": return try await search(args)
            case "memory_upsert": return try await upsert(args, caller: caller)
            case "memory_get": return try await get(args)
            case "memory_forget": return try await forget(args)
            case "memory_health": return try await health()
            case "memory_schema": return try await schema(args)
            case "run_summary": return try await runSummary(args)
            case "find_exceptions": return try await findExceptions(args)
            case "ops_gate": return try await gate(args)
            case "plan_status": return try await planStatus()
            case "packet_status": return try await packetStatus(args)
            default: throw MemoryServiceError.unknownTool(name)
            }
        } catch {
            throw serviceError(error, tool: name)
        }
    }

    /// A tool's failure as the caller is told it.
    func serviceError(_ error: any Error, tool name: String) -> MemoryServiceError {
        switch error {
        case let error as MemoryServiceError: return error
        case let error as StoreError where error.isRefusal: return .refused(error.description)
        case let error as ConnectionPool.TimedOut:
            return .timeout("\(name) stopped after its time budget of \(error.timeout.milliseconds) ms")
        default:
            logger.warning("tool failed", metadata: ["tool": "\(name)", "error": "\(error)"])
            return .failed("\(name) failed: \(error)")
        }
    }
}
