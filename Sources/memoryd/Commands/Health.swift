import ArgumentParser
import DuckDB
import Foundation
import MemoryStore

struct Health: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the store's health: versions, schema, row counts, size, ingest sources.")

    @OptionGroup var options: StoreOptions

    @Flag(help: "Print JSON instead of text.")
    var json = false

    func run() throws {
        let configuration = try options.configuration()
        let store = try Store(readingExisting: configuration.databasePath)
        let report = try StoreHealth(store: store)
        if json {
            let data = try JSONSerialization.data(withJSONObject: report.dictionary(memorydVersion: Memoryd.version),
                                                  options: [.sortedKeys, .prettyPrinted])
            print(String(decoding: data, as: UTF8.self))
        } else {
            print("memoryd \(Memoryd.version), DuckDB \(report.duckdbVersion), schema v\(report.schemaVersion)")
            print("database \(store.path): \(report.fileBytes) bytes")
            for (table, count) in report.rowCounts { print("  \(table): \(count) rows") }
            for source in report.sources {
                let progress = source.byteOffset.map { "at byte \($0)" } ?? "\(source.batches ?? 0) batches"
                print("  source \(source.name): \(progress), \(source.rows) rows, \(source.rejected) rejected, last \(source.updatedAt)")
            }
        }
    }
}
