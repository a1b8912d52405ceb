import ArgumentParser
import Foundation
import MemoryStore

struct Replay: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Rebuild the derived tables (guard_outcomes, state_transitions, runs, stages) from the stored raw rows.",
        discussion: """
            Without options everything is rebuilt; --since, --topic and --run limit the rebuild to those \
            envelopes and the runs they touch. Prints each derived table's row count and digest: a replay \
            gives the same digests as live ingest. Facts from envelopes were applied once and are not \
            re-applied. Needs the database to itself (stop `memoryd serve` first).
            """)

    @OptionGroup var options: StoreOptions

    @Option(help: "Only envelopes at or after this RFC 3339 time (and spans starting then).")
    var since: String?

    @Option(help: "Only envelopes of this topic.")
    var topic: String?

    @Option(name: .customLong("run"), help: "Only this run.")
    var runID: String?

    func run() throws {
        var selection = RunDeriver.Selection(topic: topic, runID: runID)
        if let since {
            guard let date = Self.parse(since) else { throw UsageError("--since is not an RFC 3339 time: \(since)") }
            selection.since = Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
        }
        let configuration = try options.configuration()
        guard FileManager.default.fileExists(atPath: configuration.databasePath) else {
            throw UsageError("no database at \(configuration.databasePath)")
        }
        let store = try Store(path: configuration.databasePath)
        let connection = try store.connect()
        let started = Date()
        let result = try RunDeriver.replay(selection, on: connection)
        let seconds = Date().timeIntervalSince(started)
        print("replayed: \(result.guardOutcomes) guard outcomes, \(result.transitions) transitions, "
              + "\(result.runs) runs in \(String(format: "%.2f", seconds)) s")
        for digest in try RunDeriver.digests(on: connection) {
            print("\(digest.table): \(digest.rows) rows, md5 \(digest.md5)")
        }
        try CommandAudit.record(AuditLog(store: store), operation: "replay", target: runID.map { "run:\($0)" }, rowCounts: [
            "guard_outcomes": result.guardOutcomes, "state_transitions": result.transitions, "runs": result.runs])
    }

    private static func parse(_ text: String) -> Date? {
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return fractional.date(from: text) ?? ISO8601DateFormatter().date(from: text)
    }
}
