import ArgumentParser
import DuckDB
import Foundation
import MemoryStore

struct Query: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run one read-only SQL statement against the store (e.g. `select … from records`).")

    enum Format: String, ExpressibleByArgument, CaseIterable { case table, json, csv }

    @OptionGroup var options: StoreOptions

    @Option(help: "Output format: table, json or csv.")
    var format: Format = .table

    @Argument(help: "The SQL statement (SELECT or EXPLAIN only).")
    var sql: String

    func run() throws {
        let configuration = try options.configuration()
        let store = try Store(readingExisting: configuration.databasePath)
        let result: ResultSet
        do {
            result = try store.readOnlyQuery(sql)
        } catch let error as StoreError where error.isRefusal {
            throw UsageError(error.description)
        } catch let error as DuckDBError {
            throw UsageError(error.message)
        }
        print(ResultFormatter.render(result, as: format), terminator: "")
    }
}
