import Contracts
import DuckDB
import Foundation
import Logging
import MemoryIngest
import MemoryService
import MemoryStore
import Redaction

/// A fresh store in a temporary folder, fed envelopes the way `memoryd ingest` does and derived
/// the way `serve` does, with the memory service on top for the tracker tools.
final class TrackerFixture: @unchecked Sendable {
    let directory: URL
    let store: Store
    private var envelopes: [String] = []
    private var offset = 0

    init() throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("tracker-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        store = try Store(path: directory.appendingPathComponent("memory.duckdb").path)
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    var databasePath: String { directory.appendingPathComponent("memory.duckdb").path }

    func connection() throws -> Connection { try store.connect() }

    func load(_ plan: Plan) throws { try PlanStore.replace(with: plan, source: "test", on: store.connect()) }

    func status() throws -> PlanStatus {
        try #require(try PlanStatus.derive(on: store.connect(), reasonCodes: ContractRegistry.pinned().reasonCodes))
    }

    /// Ingests a file of envelopes (a fixture or what the builders below wrote) and derives.
    func ingest(file path: String) throws {
        let ingestor = try EnvelopeIngestor(store: store, contracts: ContractRegistry.pinned(), redactor: Redactor())
        _ = try ingestor.ingestFile(at: path)
        try RunDeriver.refresh(on: store.connect())
    }

    /// Ingests the envelopes built so far.
    func ingestBuilt() throws {
        let path = directory.appendingPathComponent("built-\(UUID().uuidString).jsonl").path
        try Data(envelopes.joined().utf8).write(to: URL(fileURLWithPath: path))
        envelopes.removeAll()
        try ingest(file: path)
    }

    /// A run's transitions through `states` (from `queued`), one a minute from `start`.
    func run(_ runID: String, packet: String, through states: [String], start minute: Int = 0) {
        var from = "queued"
        for (seq, to) in states.enumerated() {
            let code = switch to {
            case "planning", "executing": from == "verifying" ? "STATE.VERIFY.FAILED" : "STATE.PLAN.READY"
            case "verifying": "STATE.EXEC.DONE"
            case "succeeded": "STATE.VERIFY.PASSED"
            case "failed": "STATE.FAILED.ERROR"
            case "cancelled": "STATE.CANCELLED.OPERATOR"
            default: "STATE.BLOCKED.GUARD"
            }
            let at = time(minute + seq)
            add(topic: "dome.run.transition", schema: "xtrlv2/state_transition.v1", run: runID, packet: packet, at: at, data: """
                {"run_id": "\(runID)", "packet_id": "\(packet)", "from_state": "\(from)", "to_state": "\(to)", \
                "at": "\(at)", "reason_code": "\(code)", "actor": "planner", "seq": \(seq)}
                """)
            from = to
        }
    }

    func guardOutcome(_ runID: String, packet: String, guardID: String, decision: String, code: String, minute: Int) {
        let at = time(minute)
        add(topic: "dome.guard.outcome", schema: "xtrlv2/guard_outcome.v1", run: runID, packet: packet, at: at, data: """
            {"guard_id": "\(guardID)", "decision": "\(decision)", "reason_code": "\(code)", "run_id": "\(runID)", \
            "packet_id": "\(packet)", "stage": "act", "action": "http.post", "decided_at": "\(at)"}
            """)
    }

    private func time(_ minute: Int) -> String {
        String(format: "2026-03-01T%02d:%02d:00Z", 9 + minute / 60, minute % 60)
    }

    private func add(topic: String, schema: String, run: String, packet: String, at: String, data: String) {
        let id = "tracker-test-\(offset)"
        envelopes.append("""
            {"specversion": "watcher.envelope.v1", "id": "\(id)", "source": "watcher://tests/tracker", "topic": "\(topic)", \
            "type": "\(topic).v1", "time": "\(at)", "run_id": "\(run)", "packet_id": "\(packet)", "partition": 0, \
            "offset": \(offset), "data": \(data), "dataschema": "\(schema)"}

            """)
        offset += 1
    }

    func service(audit: AuditLog? = nil) throws -> MemoryService {
        var logger = Logger(label: "tracker-tests")
        logger.logLevel = .error
        return try MemoryService(store: store, redactor: nil, audit: audit, logger: logger)
    }
}

/// Where the envelope fixtures are (copies of ../shared/fixtures/envelopes).
enum Fixtures {
    static let envelopes = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("ContractsTests/Fixtures/envelopes")

    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
}

import Testing
