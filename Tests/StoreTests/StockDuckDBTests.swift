import Foundation
import MemoryStore
import Testing

/// The file memoryd writes is plain DuckDB: the stock `duckdb` Python package (the venv that
/// `make test` creates) opens it once memoryd has closed it, and reads the `records` view.
@Suite struct StockDuckDBTests {
    static let python = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent(".venv/bin/python")

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: python.path), "run `make venv` first"))
    func stockDuckDBReadsTheStore() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("memory.duckdb").path
        do {
            let store = try Store(path: path)
            let writer = try TelemetryWriter(store: store)
            var progress = TelemetryWriter.SourceProgress()
            progress.batches = 1
            _ = try writer.commit([spanBatch([makeSpan(span: 1), makeSpan(span: 2, parent: 1)])],
                                  progress: ["otlp/traces": progress])
            try store.connect().execute("CHECKPOINT")
        }

        let script = """
            import duckdb, sys
            con = duckdb.connect(sys.argv[1], read_only=True)
            print(con.sql("select count(*) from records where kind = 'span'").fetchone()[0])
            print(con.sql("select max(version) from schema_migrations").fetchone()[0])
            """
        let process = Process()
        process.executableURL = Self.python
        process.arguments = ["-c", script, path]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        process.waitUntilExit()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationStatus == 0, "\(text)")
        #expect(text.split(separator: "\n").map(String.init) == ["2", "\(Migrations.all.last!.version)"])
    }
}
