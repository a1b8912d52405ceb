import Contracts
import DuckDB
import Foundation
import Logging
import MemoryIngest
import MemoryOps
import MemoryService
import MemoryStore
import OTLP
import Redaction
import Synchronization
import Testing

/// Paths of the fixtures this target reads (copies of ../shared/fixtures kept under Tests).
enum Paths {
    static let tests = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    static let envelopes = tests.appendingPathComponent("ContractsTests/Fixtures/envelopes")
    static let otlp = tests.appendingPathComponent("Fixtures/otlp")
    static let repository = tests.deletingLastPathComponent()
}

/// A value tests change while the code under test reads it.
final class Box<Value: Sendable>: Sendable {
    private let value: Mutex<Value>
    init(_ value: Value) { self.value = Mutex(value) }
    var current: Value {
        get { value.withLock { $0 } }
        set { value.withLock { $0 = newValue } }
    }
}

/// A memory service on a fresh store in a temporary folder, with the inputs the gate and the
/// alert engine read from outside the store (audit status, ingest queue age, clock) under the
/// test's control, and real ingest paths to put data in.
final class OpsFixture: @unchecked Sendable {
    let directory: URL
    let store: Store
    let service: MemoryService
    let clock: Box<Date>
    /// nil: no audit verifier (as without an audit log).
    let audit: Box<AuditStatus?>
    let ingestQueueAge = Box<Double>(0)
    let logger: Logger

    /// `auditLog`: the service keeps a real audit log (issue 6) and the gate verifies it,
    /// instead of reading `audit`.
    init(directory: URL? = nil, now: Date = Date(), gateMaxIngestLag: Duration = .seconds(60),
         audit: AuditStatus? = AuditStatus(intact: true, detail: "intact"), auditLog: Bool = false,
         auditCheckInterval: Duration = .zero) throws {
        self.directory = directory ?? FileManager.default.temporaryDirectory
            .appendingPathComponent("ops-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: self.directory, withIntermediateDirectories: true)
        store = try Store(path: self.directory.appendingPathComponent("memory.duckdb").path)
        clock = Box(now)
        let auditBox = Box<AuditStatus?>(audit)
        self.audit = auditBox
        var logger = Logger(label: "ops-tests")
        logger.logLevel = .error
        self.logger = logger
        var configuration = MemoryService.Configuration()
        configuration.readers = 2
        configuration.gateMaxIngestLag = gateMaxIngestLag
        configuration.auditCheckInterval = auditCheckInterval
        if !auditLog {
            configuration.auditCheck = {
                guard let status = auditBox.current else { throw TestError("no audit verifier in this test") }
                return status
            }
        }
        let age = ingestQueueAge
        service = try MemoryService(store: store, configuration: configuration, redactor: nil, ingestStatus: {
            .init(queuedBatches: 0, queuedRows: 0, committedBatches: 0, oldestQueuedAge: age.current)
        }, observer: nil, audit: auditLog ? try AuditLog(store: store) : nil, logger: logger)
    }

    func remove() { try? FileManager.default.removeItem(at: directory) }

    // MARK: Data in

    /// Ingests a copy of an envelope fixture through the real ingestor, then derives.
    @discardableResult
    func ingestFixture(_ name: String) async throws -> String {
        let path = directory.appendingPathComponent(name).path
        try Data(contentsOf: Paths.envelopes.appendingPathComponent(name)).write(to: URL(fileURLWithPath: path))
        _ = try EnvelopeIngestor(store: store, contracts: ContractRegistry.pinned(), redactor: Redactor()).ingestFile(at: path)
        try await service.refreshDerivedTables()
        return path
    }

    /// Appends envelope lines to `file` in the scratch folder and ingests what is new.
    func ingest(_ lines: [String], file: String = "extra.jsonl") async throws {
        let url = directory.appendingPathComponent(file)
        if !FileManager.default.fileExists(atPath: url.path) { _ = FileManager.default.createFile(atPath: url.path, contents: nil) }
        let handle = try FileHandle(forWritingTo: url)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(lines.map { $0 + "\n" }.joined().utf8))
        try handle.close()
        let summary = try EnvelopeIngestor(store: store, contracts: ContractRegistry.pinned(), redactor: Redactor())
            .ingestFile(at: url.path)
        #expect(summary.rejected == 0, "test envelopes rejected: \(summary)")
        try await service.refreshDerivedTables()
    }

    /// Commits a captured OTLP trace request (Tests/Fixtures/otlp) as the ingest writer would.
    func ingestTraces(_ name: String) async throws {
        let request = try OTLPTraceRequest(serializedBytes: Data(contentsOf: Paths.otlp.appendingPathComponent(name)))
        _ = try TelemetryWriter(store: store).commit([OTLPMaterializer.rows(from: request)], progress: [:])
        try await service.refreshDerivedTables()
    }

    // MARK: Ops

    func lane() throws -> ConnectionPool { try ConnectionPool(store: store, size: 1, label: "ops-test") }

    func engine(_ rules: [AlertRule], lane: ConnectionPool? = nil) throws -> AlertEngine {
        var configuration = AlertsConfiguration()
        configuration.rules = rules
        let clock = self.clock
        return try AlertEngine(configuration: configuration, service: service, lane: lane ?? self.lane(),
                               clock: { clock.current }, logger: logger)
    }

    func gate(_ runID: String) async throws -> JSONValue {
        try await service.call("ops_gate", arguments: ["run_id": .string(runID)], caller: Caller(surface: .cli))
    }

    func rows(_ sql: String) throws -> [[Value]] { try store.connect().query(sql).rows }

    func alerts() throws -> [AlertRecord] {
        try AlertLedger.recent(limit: 1000, on: store.connect()).reversed()
    }
}

struct TestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Watcher envelopes for the cases the fixtures do not have, shaped like theirs.
enum Envelope {
    static let source = "watcher://ops-tests"
    private static let lock = Mutex(0)

    private static func next() -> Int { lock.withLock { $0 += 1; return $0 } }

    static func transition(run: String, seq: Int, from: String, to: String, code: String, at time: String) -> String {
        let n = next()
        return """
            {"specversion": "watcher.envelope.v1", "id": "ops-\(run)-t\(seq)-\(n)", "source": "\(source)", \
            "topic": "dome.run.transition", "type": "dome.run.transition.v1", "time": "\(time)", "run_id": "\(run)", \
            "partition": 0, "offset": \(n), "data": {"run_id": "\(run)", "from_state": "\(from)", "to_state": "\(to)", \
            "at": "\(time)", "reason_code": "\(code)", "actor": "ops-tests", "seq": \(seq)}, \
            "dataschema": "xtrlv2/state_transition.v1"}
            """
    }

    static func guardOutcome(run: String, decision: String, code: String, at time: String, id: String? = nil) -> String {
        let n = next()
        return """
            {"specversion": "watcher.envelope.v1", "id": "\(id ?? "ops-\(run)-g\(n)")", "source": "\(source)", \
            "topic": "dome.guard.outcome", "type": "dome.guard.outcome.v1", "time": "\(time)", "run_id": "\(run)", \
            "partition": 0, "offset": \(n), "data": {"guard_id": "budget", "decision": "\(decision)", \
            "reason_code": "\(code)", "run_id": "\(run)", "stage": "act", "action": "tool.call", "decided_at": "\(time)"}, \
            "dataschema": "xtrlv2/guard_outcome.v1"}
            """
    }
}

/// RFC 3339 text for a fixed instant.
func iso(_ date: Date) -> String {
    TimestampFormat.iso8601(micros: Int64((date.timeIntervalSince1970 * 1e6).rounded()))
}

func date(_ text: String) -> Date {
    let formatter = ISO8601DateFormatter()
    return formatter.date(from: text)!
}

/// A rule for tests: webhooks to a closed port unless given.
func rule(_ name: String, _ kind: AlertRule.Kind, threshold: Double = 0, window: Double? = nil, forSeconds: Double = 0,
          groupBy: AlertRule.GroupBy? = nil, cooldown: Double = 0, codes: [String] = [], query: String? = nil,
          webhooks: [String] = ["http://127.0.0.1:9/hook"], secret: String? = nil,
          severity: Severity = .high) throws -> AlertRule {
    var spec = AlertRule.Spec()
    spec.name = name
    spec.kind = kind.rawValue
    spec.threshold = threshold
    spec.window = window
    spec.forSeconds = forSeconds
    spec.groupBy = groupBy?.rawValue
    spec.cooldown = cooldown
    spec.reasonCodes = codes.isEmpty ? nil : codes
    spec.query = query
    spec.webhooks = webhooks
    spec.secret = secret
    spec.severity = severity.rawValue
    return try AlertRule(spec: spec, label: name, registry: ContractRegistry.pinned().reasonCodes)
}

/// The pinned contract schemas.
enum Schemas {
    static func schema(_ id: String) throws -> JSONSchema {
        guard let schema = try ContractRegistry.pinned().schemas[id] else { throw TestError("no schema \(id)") }
        return schema
    }

    static func expectValid(_ value: JSONValue, _ id: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let errors = try schema(id).validate(value)
        #expect(errors.isEmpty, "\(id): \(errors.map(\.description)) in \(value.jsonText)", sourceLocation: sourceLocation)
    }
}
