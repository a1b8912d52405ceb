import Contracts
import DuckDB
import Foundation
import MemoryIngest
import MemoryStore
import Redaction

/// The envelope fixtures, shared with ContractsTests (copies of ../shared/fixtures/envelopes).
enum Fixtures {
    static let envelopes = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("ContractsTests/Fixtures/envelopes")

    static func data(_ name: String) throws -> Data {
        try Data(contentsOf: envelopes.appendingPathComponent(name))
    }

    /// The lines of a fixture, each with its newline.
    static func lines(_ name: String) throws -> [Data] {
        try data(name).split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).dropLast().map { Data($0 + [0x0A]) }
    }
}

/// A scratch folder with a store in it, removed on deinit.
final class Scratch: Sendable {
    let directory: URL
    let store: Store

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("ingest-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        store = try Store(path: directory.appendingPathComponent("memory.duckdb").path)
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    func ingestor(chunkLines: Int = 5_000) throws -> EnvelopeIngestor {
        try EnvelopeIngestor(store: store, contracts: ContractRegistry.pinned(), redactor: Redactor(), chunkLines: chunkLines)
    }

    /// Writes `data` to `name` in the scratch folder and returns its path.
    @discardableResult
    func write(_ data: Data, to name: String) throws -> String {
        let path = directory.appendingPathComponent(name).path
        try data.write(to: URL(fileURLWithPath: path))
        return path
    }

    func rows(_ sql: String) throws -> [[Value]] { try store.connect().query(sql).rows }

    func int(_ sql: String) throws -> Int64 { try rows(sql)[0][0].int64 ?? -1 }

    func strings(_ sql: String) throws -> [String] { try rows(sql).compactMap { $0[0].string } }

    /// What must be identical between two ways of ingesting the same stream.
    func contents() throws -> [String] {
        [
            try strings("SELECT md5(string_agg(source || id, ',' ORDER BY source, id)) FROM events").first ?? "",
            try strings("SELECT md5(string_agg(data::VARCHAR, ',' ORDER BY source, id)) FROM events").first ?? "",
            "rejects \(try int("SELECT count(*) FROM ingest_rejects"))",
            try strings("SELECT string_agg(kind || '@' || line || ':' || byte_offset, ',' ORDER BY byte_offset) FROM ingest_rejects").first ?? "",
        ]
    }
}

/// Envelope lines made up for a test.
enum Envelopes {
    static let source = "watcher://test/planner"

    /// A `dome.run.transition` envelope line (with its newline).
    static func transition(id: String, run: String, seq: Int?, from: String, to: String,
                           partition: Int? = 0, offset: Int? = nil, source: String = source) -> String {
        var data = #""run_id": "\#(run)", "from_state": "\#(from)", "to_state": "\#(to)", "at": "2026-02-15T09:00:00Z", "reason_code": "STATE.PLAN.READY""#
        if let seq { data += #", "seq": \#(seq)"# }
        var envelope = #"{"specversion": "watcher.envelope.v1", "id": "\#(id)", "source": "\#(source)", "topic": "dome.run.transition", "type": "dome.run.transition.v1", "time": "2026-02-15T09:00:00Z", "run_id": "\#(run)""#
        if let partition { envelope += #", "partition": \#(partition)"# }
        if let offset { envelope += #", "offset": \#(offset)"# }
        return envelope + #", "data": {\#(data)}}"# + "\n"
    }
}

extension Scratch {
    /// Ingests `text` as a stream.
    @discardableResult
    func ingest(_ text: String, chunkLines: Int = 5_000) throws -> EnvelopeIngestor.Summary {
        var data: Data? = Data(text.utf8)
        return try ingestor(chunkLines: chunkLines).ingestStream(named: "test") {
            defer { data = nil }
            return data
        }
    }

    /// Appends `data` to the file at `path` (the same inode, as a producer does).
    func append(_ data: Data, to path: String) throws {
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: data)
        try handle.close()
    }
}
