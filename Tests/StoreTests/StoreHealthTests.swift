import DuckDB
import Foundation
import MemoryStore
import Testing

@Suite struct StoreHealthTests {
    @Test func freshStoreReportsEmptyTables() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try Store(path: directory.appendingPathComponent("memory.duckdb").path)
        let health = try StoreHealth(store: store)
        #expect(health.duckdbVersion == Database.libraryVersion)
        #expect(health.schemaVersion == Migrations.all.count)
        #expect(health.rowCounts.map { $0.0 } == StoreHealth.tables)
        #expect(health.rowCounts.allSatisfy { $0.1 == 0 })
        #expect(health.sources.isEmpty)
        #expect(health.fileBytes > 0)
    }

    @Test func reportsRowsAndSources() throws {
        let store = try Store(path: ":memory:")
        var progress = TelemetryWriter.SourceProgress()
        progress.batches = 2
        progress.rows = 3
        progress.rejected = 1
        _ = try TelemetryWriter(store: store).commit(
            [spanBatch([makeSpan(span: 1), makeSpan(span: 2)]), spanBatch([makeSpan(span: 3)])],
            progress: ["otlp-http": progress])
        let health = try StoreHealth(store: store)
        #expect(health.rowCounts.first { $0.0 == "spans" }?.1 == 3)
        #expect(health.sources.count == 1)
        let source = try #require(health.sources.first)
        #expect(source.name == "otlp-http")
        #expect(source.batches == 2 && source.rows == 3 && source.rejected == 1)
        #expect(source.updatedAt.hasSuffix("Z"))
        let dictionary = health.dictionary(memorydVersion: "9.9.9")
        #expect(dictionary["memoryd_version"] as? String == "9.9.9")
        #expect((dictionary["row_counts"] as? [String: Int64])?["spans"] == 3)
        #expect((dictionary["sources"] as? [[String: Any]])?.first?["source"] as? String == "otlp-http")
    }
}
