import Foundation
import Tracing

/// Prints spans and logs to stderr as they end, for local runs: local time, level, the message
/// (redacted) indented by nesting depth, and a span's duration. Lines are printed when a span
/// ends, so a stage prints after the logs inside it.
struct ConsoleExporter: Sendable {
    func print(_ span: TelemetrySpan, scrubber: SpanScrubber) {
        let state = span.finished
        let message = span.exported(state, scrubber: scrubber).message
        let end = state.endNanos ?? span.startNanos
        var line = Self.clock(end) + " "
        let label = state.level == .error || state.status?.code == .error ? "error" : (state.level ?? .info).label
        line += label + String(repeating: " ", count: max(1, 6 - label.count))
        line += String(repeating: "  ", count: max(0, span.depth ?? 0)) + message
        if span.logfire?.spanType != "log" {
            line += String(format: " (%.1f ms)", Double(end &- span.startNanos) / 1_000_000)
        }
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    /// `HH:MM:SS.mmm` in local time.
    static func clock(_ nanoseconds: UInt64) -> String {
        var seconds = time_t(nanoseconds / 1_000_000_000)
        var parts = tm()
        localtime_r(&seconds, &parts)
        let millis = Int(nanoseconds / 1_000_000 % 1000)
        return String(format: "%02d:%02d:%02d.%03d", parts.tm_hour, parts.tm_min, parts.tm_sec, millis)
    }
}
