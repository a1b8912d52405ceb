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
final class Scratch {
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
