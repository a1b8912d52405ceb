import ArgumentParser
import Contracts
import Foundation
import MemoryStore

struct EvidenceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evidence",
        abstract: "Evidence roots for the tracker's milestones.",
        subcommands: [Export.self])

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a milestone's evidence root: Parquet of its proving runs, README.md summary, MANIFEST.sha256.",
            discussion: """
                The proving runs are the runs that decide the milestone's packets' statuses (see `memoryd plan status`). \
                The files are a function of the stored rows: exporting twice gives identical files. Needs the database \
                to itself (stop `memoryd serve` first).
                """)

        @OptionGroup var options: StoreOptions

        @Argument(help: "The milestone id (e.g. LM-02).")
        var milestone: String

        @Option(help: "The folder to write (created if needed).")
        var out: String

        func run() throws {
            let configuration = try options.configuration()
            guard FileManager.default.fileExists(atPath: configuration.databasePath) else {
                throw UsageError("no database at \(configuration.databasePath)")
            }
            // One thread: DuckDB then writes each Parquet file the same way every time.
            let store = try Store(path: configuration.databasePath, threads: 1)
            let connection = try store.connect()
            guard let status = try PlanStatus.derive(on: connection, reasonCodes: ContractRegistry.pinned().reasonCodes) else {
                throw UsageError("no plan is loaded: run `memoryd plan load FILE` first")
            }
            let result: EvidenceExport.Result
            do {
                result = try EvidenceExport.export(milestone, status: status, to: URL(fileURLWithPath: out), on: connection)
            } catch let error as EvidenceExport.UnknownMilestone {
                throw UsageError(error.description)
            }
            print("exported \(result.milestone) (\(result.state.rawValue), \(result.runs.count) runs) to \(out): "
                  + result.files.map(\.name).joined(separator: ", ") + ", MANIFEST.sha256")
        }
    }
}
