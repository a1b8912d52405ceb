import ArgumentParser
import DuckDB
import Foundation
import MemoryServer
import MemoryStore

struct RetentionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retention",
        abstract: "Retention: delete rows past their table's maximum age; legal holds on runs.",
        subcommands: [Apply.self, Hold.self, Release.self, Holds.self])

    struct Apply: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete (and archive, when configured) rows older than [retention] allows; print per table.",
            discussion: """
                Ages come from [retention] in memoryd.toml (defaults: spans, logs, metric_points 30d; \
                events 90d; ingest_rejects 7d; redactions 90d; audit_log forever); expired facts go by \
                their TTL. Rows of runs under legal hold stay. Opens the store for writing: stop the \
                daemon first (it applies retention itself every [retention] interval).
                """)

        @OptionGroup var options: StoreOptions

        @Flag(name: .customLong("dry-run"), help: "Only count what would go.")
        var dryRun = false

        func run() async throws {
            let configuration = try options.configuration()
            let store = try Store(path: configuration.databasePath, memoryLimit: configuration.duckdbMemoryLimit)
            let policy = configuration.policy.retention
            let audit = try AuditLog(store: store)
            let report: Retention.Report
            do {
                report = try await Retention(store: store, policy: policy, audit: audit).apply(dryRun: dryRun)
            } catch let interrupted as Retention.Interrupted where !dryRun {
                // Batches committed before the failure stay deleted, so they are audited.
                try Self.record(interrupted.report, outcome: "failed", audit: audit)
                throw interrupted
            }
            for line in Self.lines(report) { print(line) }
            if !dryRun {
                try Self.record(report, outcome: "ok", audit: audit)
                try store.connect().execute("CHECKPOINT")
            }
        }

        static func record(_ report: Retention.Report, outcome: String, audit: AuditLog) throws {
            var counts = Dictionary(report.tables.filter { $0.rows > 0 }.map { ($0.table, $0.rows) }, uniquingKeysWith: +)
            if report.expiredFacts > 0 { counts["expired_facts"] = report.expiredFacts }
            try CommandAudit.record(audit, operation: "retention apply", outcome: outcome, rowCounts: counts)
        }

        static func lines(_ report: Retention.Report) -> [String] {
            let verb = report.dryRun ? "would delete" : "deleted"
            var lines = report.tables.map { table in
                let age = RetentionPolicy.formatAge(table.maxAge)
                let held = table.held > 0 ? " (\(table.held) kept for legal holds)" : ""
                return "\(table.table.padding(toLength: 18, withPad: " ", startingAt: 0)) max age \(age.padding(toLength: 8, withPad: " ", startingAt: 0)) \(verb) \(table.rows) rows\(held)"
            }
            lines.append("\("memories".padding(toLength: 18, withPad: " ", startingAt: 0)) by TTL           \(verb) \(report.expiredFacts) expired facts")
            if let archive = report.archiveDirectory, !report.dryRun { lines.append("archived to \(archive)/<table>/day=YYYY-MM-DD/") }
            return lines
        }
    }

    struct Hold: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Put a run under legal hold: retention keeps all its rows.")

        @OptionGroup var options: StoreOptions
        @Argument(help: "The run id.") var runID: String
        @Option(help: "Why (recorded with the hold).") var reason: String?

        func run() async throws {
            let store = try Store(path: try options.configuration().databasePath)
            let placed = try LegalHolds.hold(runID: runID, reason: reason, by: "local", on: store.connect())
            try CommandAudit.record(AuditLog(store: store), operation: "retention hold", target: "run:\(runID)", rowCounts: ["holds": placed ? 1 : 0])
            print(placed ? "run \(runID) is under legal hold" : "run \(runID) was under legal hold already (reason updated)")
        }
    }

    struct Release: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Release a run's legal hold.")

        @OptionGroup var options: StoreOptions
        @Argument(help: "The run id.") var runID: String

        func run() async throws {
            let store = try Store(path: try options.configuration().databasePath)
            let released = try LegalHolds.release(runID: runID, on: store.connect())
            try CommandAudit.record(AuditLog(store: store), operation: "retention release", target: "run:\(runID)",
                                    outcome: released ? "ok" : "not_found", rowCounts: ["holds": released ? 1 : 0])
            guard released else { throw UsageError("run \(runID) is not under legal hold") }
            print("run \(runID) released")
        }
    }

    struct Holds: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the runs under legal hold.")

        @OptionGroup var options: StoreOptions

        func run() async throws {
            let store = try Store(readingExisting: try options.configuration().databasePath)
            for hold in try LegalHolds.list(on: store.connect()) {
                print("\(hold.runID)\t\(TimestampFormat.iso8601(micros: hold.heldAt))\t\(hold.heldBy)\t\(hold.reason ?? "")")
            }
        }
    }
}
