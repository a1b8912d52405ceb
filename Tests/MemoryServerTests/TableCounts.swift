/// Row counts of the telemetry tables, for "stored once, nothing more" checks.
struct TableCounts: Equatable, Sendable, CustomStringConvertible {
    var spans = 0
    var pendingSpans = 0
    var logs = 0
    var points = 0

    var description: String { "spans=\(spans) pending=\(pendingSpans) logs=\(logs) points=\(points)" }
}
